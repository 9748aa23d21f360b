import HSQCore
import Testing

/// The structured cases render, in one place, the sentences the free-text messages they replaced said.
@Suite struct HSQErrorRenderingTests {
  @Test(arguments: [
    (HSQError.unknownOption(command: "plot", option: "lgo", suggestion: "log"), "'plot' has no option '--lgo'. Did you mean '--log'? Try 'help plot'."),
    (.unknownOption(command: "plot", option: "zzz", suggestion: nil), "'plot' has no option '--zzz'. Try 'help plot'."),
    (.missingValue(command: "plot", option: "x", valueName: "AXIS"), "'--x' needs a value (AXIS); try 'help plot'."),
    (.missingArgument(command: "plot", argument: "metric", doc: "what to plot", usage: "plot <metric>"), "'plot' needs <metric> (what to plot). Usage: plot <metric>"),
    (.extraArgument(command: "step", limit: 1, extra: "3", usage: "step [<count>]"), "'step' takes at most 1 argument(s); got '3'. Usage: step [<count>]"),
    (.outOfRange(value: "--height 3", range: 5...200, whole: true), "'--height 3' is not a whole number in 5...200."),
    (.outOfRange(value: "--z 0", range: 0.1...10, whole: false), "'--z 0' is not a number in 0.1...10."),
    (.missing(thing: "gradients yet", plural: true, fix: "run 'step' first"), "There are no gradients yet; run 'step' first."),
    (.notKeyValue(text: "k", within: "hsq:k", example: "hsq:k=…", hint: nil), "'k' in 'hsq:k' is not key=value; write e.g. 'hsq:k=…'."),
    (.notKeyValue(text: "lr", within: nil, example: "lr=0.05", hint: "see 'list settings'"), "'lr' is not key=value; write e.g. 'lr=0.05' (see 'list settings')."),
    (.unknownMember(kind: "layer", name: "fc3", owner: "The model's layers", members: ["fc1", "fc2"]),
     "Unknown layer 'fc3'. Did you mean 'fc1'? The model's layers: fc1, fc2."),
    (.constraint(subject: "Codebook 'hadamard'", rule: "is a basis, so it needs k = dim", given: "dim=8, k=16", fix: "Write 'hadamard:dim=8,k=8'"),
     "Codebook 'hadamard' is a basis, so it needs k = dim; got dim=8, k=16. Write 'hadamard:dim=8,k=8'."),
    (.unknownExtension(path: "c.bin", what: "codebook format", extensions: ["fvecs", "npy"], alternative: "give the format (format=fvecs or format=npy)"),
     "Cannot tell the codebook format of 'c.bin' from its extension; name the file '.fvecs' or '.npy', or give the format (format=fvecs or format=npy)."),
    (.incompatible(subject: "Model 'softmax'", needs: "class labels", found: "the dataset is a regression", fix: "use 'least-squares' (or 'mlp')"),
     "Model 'softmax' needs class labels but the dataset is a regression; use 'least-squares' (or 'mlp')."),
    (.notOneOf(value: "time", what: "an axis for '--x'", choices: ["step", "epoch", "bits"]), "'time' is not an axis for '--x'; use step, epoch or bits."),
    (.atLine(file: "run.hsq", line: 3, message: "Unknown command 'stpe'."), "run.hsq:3: Unknown command 'stpe'."),
    (.wrongKind(name: "q", kind: "compressor", expected: "an experiment"), "'q' is a compressor, not an experiment."),
  ])
  func rendersTheSentence(error: HSQError, message: String) {
    #expect(error.description == message)
    #expect(userFacingMessage(for: error) == message)
  }
}
