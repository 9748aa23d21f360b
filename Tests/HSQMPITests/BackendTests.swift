import Foundation
import Testing

/// `backend=mpi` under a real mpirun gives the records `backend=threads` gives, bit for bit, at 2, 3
/// and 5 ranks (workers round-robin over ranks 1…), on error feedback, partial participation and local SGD.
@Suite(.serialized, .requires(MPIRun.prerequisite, MPIRun.isAvailable))
struct BackendTests {
  static let problem = "dataset=linear:d=16,n=256,n-test=32 model=least-squares batch=8 lr=0.05 compress-threshold=0 seed=7"

  /// The three configurations issue 12 names.
  static let configurations: [String: String] = [
    "hsq+ef": "\(problem) workers=5 compressor=hsq:dim=4,k=16,codebook=gaussian ef=true",
    "qsgd-half": "\(problem) workers=6 participation=0.5 compressor=qsgd",
    "topk+ef-local2": "\(problem) workers=4 protocol=local local-steps=2 compressor=topk:k=4 ef=true",
  ]

  /// The `result` of every `step` line of a `--json` run, rendered back to text, in order.
  static func stepResults(_ output: String) throws -> [String] {
    try output.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap { line in
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      guard (object["command"] as? String)?.hasPrefix("step") == true else { return nil }
      #expect(object["ok"] as? Bool == true, "\(line)")
      let result = try JSONSerialization.data(withJSONObject: object["result"] ?? [:], options: [.sortedKeys])
      return String(decoding: result, as: UTF8.self)
    }
  }

  static func threadsRun(_ settings: String, steps: [Int]) throws -> [String] {
    let script = (["experiment e \(settings)"] + steps.map { "step \($0)" }).joined(separator: "\n") + "\n"
    let outcome = try MPIRun.runRepl(["--json"], in: MPIRun.folder(), input: script)
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    return try stepResults(outcome.output)
  }

  @Test(arguments: ["hsq+ef", "qsgd-half", "topk+ef-local2"], [2, 3, 5])
  func recordsAreBitIdenticalToThreads(_ name: String, ranks: Int) throws {
    let settings = try #require(Self.configurations[name])
    let expected = try Self.threadsRun(settings, steps: [3, 3])
    let script = "experiment e \(settings) backend=mpi\nstep 3\nstep 3\n"
    let outcome = try MPIRun.run(ranks: ranks, ["--json"], in: MPIRun.folder(), input: script)
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    let got = try Self.stepResults(outcome.output)
    #expect(got.count == 2)
    #expect(got == expected)
  }
}
