import Foundation
import HSQ
import Testing

@testable import HSQCommands

/// What the theory displays claim (issue 15): one draw of a randomized compressor is never held to a bound on
/// its mean, the two bounds are named apart, `describe` declares the exact ω₂ and the codebook in force,
/// `compare` shows a changed compressor, and bits per scalar are quoted as "n = 6 (7 bits)".
@Suite struct TheoryDisplayTests {
  static func session() -> Session {
    let s = Session()
    s.workingDirectory = FileManager.default.temporaryDirectory.path
    return s
  }

  static let problem = "dataset=gaussian-mixture:classes=4,d=40,n=800,n-test=200 model=mlp:hidden=32 workers=4 batch=16 lr=0.05 seed=5 compress-threshold=100"

  /// `a ≤ b` pairs of a step line's ρ part, as printed.
  static func claimedInequalities(_ line: String) -> [(Double, Double)] {
    let words = line.split(separator: " ").map(String.init)
    return words.indices.dropFirst().dropLast().compactMap { i in
      guard words[i] == "≤", let a = Double(words[i - 1]), let b = Double(words[i + 1]) else { return nil }
      return (a, b)
    }
  }

  /// hsq-unbiased with float32 scalars: its bound is the exact E ρ, so about half the draws lie above it.
  /// Before the fix the step line printed `ρ[…] a ≤ b` with a > b and `theory` said ABOVE BOUND for them.
  @Test func oneDrawOfARandomizedCompressorIsNotHeldToTheBoundOnItsMean() throws {
    let s = Self.session()
    #expect(!s.execute("experiment u \(Self.problem) compressor=hsq-unbiased:dim=8,k=32").isError)
    let out = s.execute("step 10")
    #expect(!out.isError, "\(out.error ?? "")")
    let e = try s.experiment()
    let largest = { (r: StepRecord) in r.layers.filter(\.compressed).max { $0.count < $1.count }! }
    #expect(e.history.contains { largest($0).observedRho > largest($0).boundRho! }, "some draw lies above E ρ, else the test shows nothing")
    let lines = out.text.split(separator: "\n").filter { $0.hasPrefix("step ") }.map(String.init)
    #expect(lines.count == 10)
    for line in lines {
      for (a, b) in Self.claimedInequalities(line) { #expect(a <= b, "a false claim: \(line)") }
      #expect(line.contains("one draw, E ρ = ") && line.hasSuffix("(exact)"), "\(line)")
    }
    // Step back to a draw above its mean: `theory` compares the exact mean with the bound, not the draw.
    let above = try #require(e.history.lastIndex { largest($0).observedRho > largest($0).boundRho! })
    let s2 = Self.session()
    #expect(!s2.execute("experiment u \(Self.problem) compressor=hsq-unbiased:dim=8,k=32").isError)
    _ = s2.execute("step \(above + 1)")
    let theory = s2.execute("theory")
    #expect(!theory.text.contains("ABOVE BOUND"), "\(theory.text)")
    #expect(theory.text.contains("ρ one draw") && theory.text.contains("E ρ (exact) ≤ bound"), "\(theory.text)")
    #expect(theory.text.contains("is randomized: ρ is one draw"), "\(theory.text)")
    let sampled = s2.execute("theory --samples 200 --z 5")
    #expect(sampled.text.contains("within CI") && !sampled.text.contains("ABOVE BOUND"), "\(sampled.text)")
  }

  /// A deterministic compressor (float32 scalars, nearest codeword): its one draw is E ρ, so the per-draw verdict stays.
  @Test func aDeterministicCompressorKeepsThePerDrawVerdict() throws {
    let s = Self.session()
    #expect(!s.execute("experiment d \(Self.problem) compressor=hsq:dim=8,k=32,codebook=gaussian,norm-bits=32").isError)
    let out = s.execute("step 3")
    let line = try #require(out.text.split(separator: "\n").last.map(String.init))
    #expect(line.contains(" ≤ ") && line.hasSuffix("(bound for these inputs)"), "\(line)")
    #expect(!line.contains("one draw"), "\(line)")
    let theory = s.execute("theory").text
    #expect(theory.contains("below bound") && theory.contains("is deterministic"), "\(theory)")
  }

  /// n = 2 scalars on a 1280-entry layer: δ_lower − M/4ⁿ < 0, so no worst case holds for every input, while the
  /// bound for these inputs does; the table header, the notes and `help theory` say which is which.
  @Test func theWorstCaseOverAllInputsAndTheBoundForTheseInputsAreNamedApart() throws {
    let s = Self.session()
    #expect(!s.execute("experiment n \(Self.problem) compressor=hsq:dim=8,k=32,codebook=gaussian,norm-bits=2").isError)
    let created = s.execute("show config")
    #expect(!created.isError)
    _ = s.execute("step 2")
    let theory = s.execute("theory").text
    #expect(theory.contains("worst case over all inputs of the largest layer: no ω or δ guarantee"), "\(theory)")
    #expect(theory.contains("bound, these inputs") && theory.contains("worst case, all inputs"), "\(theory)")
    #expect(theory.contains("worst case \"none\": no ω or δ holds for every input"), "\(theory)")
    let row = try #require(theory.split(separator: "\n").first { $0.hasPrefix("fc1.weight") })
    #expect(row.contains("none"), "\(row)")
    let layers = s.execute("show layers").text
    #expect(layers.contains("bound, these inputs") && layers.contains("worst case, all inputs"), "\(layers)")
    let help = s.execute("help theory --full").text
    #expect(help.contains("'bound, these inputs' bounds E ρ for these very inputs") && help.contains("'worst case, all inputs'"), "\(help)")
  }

  /// The icosahedron from a file: `describe` declares the exact ω₂ = φ (the bounds give 2), and the spec names the file,
  /// not the default construction the file overrides.
  @Test func describeDeclaresTheExactOmega2AndTheCodebookFile() throws {
    let phi = (1 + 5.0.squareRoot()) / 2
    var rows: [Float] = []
    for (a, b) in [(1.0, phi), (-1.0, phi), (1.0, -phi), (-1.0, -phi)] {
      for v in [[0, a, b], [a, b, 0], [b, 0, a]] { rows += v.map { Float($0 / (1 + phi * phi).squareRoot()) } }
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("icosahedron-\(getpid()).fvecs").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Codebook(name: "icosahedron", dim: 3, count: 12, rows: rows).write(toFile: path)
    let s = Self.session()
    let out = s.execute("describe hsq-unbiased:dim=3,k=12,codebook-path=\(path)")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.contains("unbiased, ω = 1.61803"), "\(out.text)")
    #expect(!out.text.contains("codebook=gaussian") && !out.text.contains("seed=0"), "\(out.text)")
    let nn = s.execute("describe hsq:dim=3,k=12,codebook-path=\(path)").text
    #expect(!nn.contains("codebook=kmeans") && nn.contains("codebook-path="), "\(nn)")
  }

  /// After `set compressor`, `compare` shows the history and the records' bits, not the new compressor's ratio.
  @Test func compareShowsAChangedCompressorAndTheRecordsBits() throws {
    let s = Self.session()
    #expect(!s.execute("experiment c \(Self.problem) compressor=hsq:dim=8,k=32,codebook=gaussian").isError)
    _ = s.execute("step 3")
    let before = s.execute("compare c").text
    #expect(!s.execute("set compressor qsgd").isError)
    let after = s.execute("compare c")
    let row = try #require(after.text.split(separator: "\n").first { $0.hasPrefix("c ") }.map(String.init))
    #expect(row.contains("hsq:dim=8,k=32,codebook=gaussian → qsgd at step 3"), "\(row)")
    let ratio = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("c ") }?.split(separator: " ").last.map(String.init) }
    #expect(ratio(after.text) == ratio(before), "the ratio is the steps' (HSQ), not qsgd's: \(before)\n\(after.text)")
    #expect(after.json.rendered.contains("\"from_step\":3"), "\(after.json.rendered)")
  }

  /// Bits per scalar are quoted with both n and the bits a scalar costs (2ⁿ + 1 levels take n + 1 bits).
  @Test func theTourQuotesScalarBitsAsNAndBits() throws {
    let s = Self.session()
    let out = s.execute("tour")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.contains("n = 6 (7 bits) scalars") && !out.text.contains("6-bit"), "\(out.text)")
  }
}
