import Foundation
import HSQCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `backend=mpi` under a real mpirun gives the records `backend=threads` gives, bit for bit, at 2, 3
/// and 5 ranks (workers round-robin over ranks 1…), on error feedback, partial participation and local SGD,
/// with a robust aggregator and an adaptive server optimizer, and with FedProx and a Byzantine worker.
@Suite(.serialized, .requires(MPIRun.prerequisite, MPIRun.isAvailable))
struct BackendTests {
  static let problem = "dataset=linear:d=16,n=256,n-test=32 model=least-squares batch=8 lr=0.05 compress-threshold=0 seed=7"

  /// The three configurations issue 12 names.
  static let configurations: [String: String] = [
    "hsq+ef": "\(problem) workers=5 compressor=hsq:dim=4,k=16,codebook=gaussian ef=true",
    "qsgd-half": "\(problem) workers=6 participation=0.5 compressor=qsgd",
    "topk+ef-local2": "\(problem) workers=4 protocol=local local-steps=2 compressor=topk:k=4 ef=true",
    // Issue 18's client behaviours: FedProx's proximal term and a Byzantine worker, each rank holding its workers'.
    "prox+byzantine": "\(problem) workers=4 participation=0.75 protocol=local local-steps=3 prox-mu=0.1 byzantine=1 byzantine-scale=-4 compressor=hsq:dim=4,k=16,codebook=gaussian ef=true",
    // Issue 18: rank 0 runs the aggregator and the server optimizer (the generic server path).
    "median+fedadam": "\(problem) workers=5 compressor=qsgd ef=true aggregator=median server-optimizer=fedadam:lr=0.02",
    // Without ‖ḡ‖ in the records no raw gradient travels: the payloads alone.
    "hsq+ef-no-norm": "\(problem) workers=5 compressor=hsq:dim=4,k=16,codebook=gaussian ef=true track-gradient-norm=false",
  ]

  /// The `result` of every `step` line of a `--json` run, rendered back to text, in order.
  static func stepResults(_ output: String) throws -> [String] {
    try output.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap { line in
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      guard (object["command"] as? String)?.hasPrefix("step") == true else { return nil }
      #expect(object["ok"] as? Bool == true, "\(line)")
      // The timings and the wire figures (absent in process) may differ; everything else must match.
      var result = object["result"] as? [String: Any] ?? [:]
      let unstable: Set = ["wire", "compute_s", "compress_s", "wall_s", "cumulative_wall_s"]
      result["records"] = (result["records"] as? [[String: Any]])?.map { $0.filter { !unstable.contains($0.key) } }
      let bytes = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
      return String(decoding: bytes, as: UTF8.self)
    }
  }

  static func threadsRun(_ settings: String, steps: [Int]) throws -> [String] {
    let script = (["experiment e \(settings)"] + steps.map { "step \($0)" }).joined(separator: "\n") + "\n"
    let outcome = try MPIRun.runRepl(["--json"], in: MPIRun.folder(), input: script)
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    return try stepResults(outcome.output)
  }

  @Test(arguments: ["hsq+ef", "qsgd-half", "topk+ef-local2", "median+fedadam", "prox+byzantine", "hsq+ef-no-norm"], [2, 3, 5])
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

  /// The records of every `step` line of a `--json` run.
  static func records(_ output: String) throws -> [[String: Any]] {
    try output.split(separator: "\n").filter { $0.hasPrefix("{") }.flatMap { line -> [[String: Any]] in
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      guard (object["command"] as? String)?.hasPrefix("step") == true else { return [] }
      return (object["result"] as? [String: Any])?["records"] as? [[String: Any]] ?? []
    }
  }

  /// Each step's record says what crossed the wire: the payload bytes are the payload bits rounded up
  /// per worker and layer, the diagnostics frames (raw gradients, 4 bytes a coordinate) travel under
  /// error feedback — one per worker from ranks serving part of the round; a rank serving all of it
  /// (2 ranks) sends only the squared norms of their mean, 8 bytes a layer; none without the gradient-norm
  /// column (`track-gradient-norm=false`), whose records leave `gradient_norm` out — and the rest of the bytes
  /// up is framing and per-layer statistics.
  @Test(arguments: ["hsq+ef", "hsq+ef-no-norm"], [2, 3])
  func recordsCarryTheBytesHandedToMPI(_ name: String, ranks: Int) throws {
    let settings = try #require(Self.configurations[name])
    let tracked = name == "hsq+ef"
    let outcome = try MPIRun.run(ranks: ranks, ["--json"], in: MPIRun.folder(), input: "experiment e \(settings) backend=mpi\nstep 2\n")
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    let records = try Self.records(outcome.output)
    #expect(records.count == 2)
    for record in records {
      let wire = try #require(record["wire"] as? [String: Any], "\(record)")
      let bitsUp = try #require(record["bits_up"] as? Int)
      let payload = try #require(wire["payload_bytes_up"] as? Int)
      let diagnostics = try #require(wire["diagnostic_bytes_up"] as? Int)
      let up = try #require(wire["bytes_up"] as? Int), down = try #require(wire["bytes_down"] as? Int)
      // 5 workers × 2 layers, each payload rounded up to whole bytes.
      #expect(payload * 8 >= bitsUp && payload * 8 < bitsUp + 5 * 2 * 8)
      #expect(diagnostics == (!tracked ? 0 : ranks == 2 ? 2 * 8 : 5 * 17 * 4))
      #expect((record["gradient_norm"] != nil) == tracked)
      #expect(up > payload + diagnostics)
      // The request carries the 17 parameters (4 bytes each) to every worker rank.
      #expect(down > (ranks - 1) * 17 * 4)
      #expect(wire["processes"] as? Int == ranks - 1)
    }
  }

  /// A checkpoint saved by hsq-mpi (memories gathered from the ranks) loads in hsq-repl and goes on
  /// bit-identically; one saved by hsq-repl loads in hsq-mpi, moves to the ranks (memories scattered)
  /// with 'set backend mpi', and goes on bit-identically too.
  @Test func checkpointsMoveBetweenHsqMPIAndHsqRepl() throws {
    let settings = try #require(Self.configurations["hsq+ef"])
    let expected = try Self.threadsRun(settings, steps: [3, 3])
    let folder = try MPIRun.folder()
    let saved = try MPIRun.run(ranks: 3, ["--json"], in: folder, input: "experiment e \(settings) backend=mpi\nstep 3\nsave from-mpi.safetensors\n")
    #expect(saved.status == 0, "stderr: \(saved.errors)")
    let continued = try MPIRun.runRepl(["--json"], in: folder, input: "load from-mpi.safetensors --as e\nstep 3\n")
    #expect(continued.status == 0, "stderr: \(continued.errors)")
    #expect(try Self.stepResults(continued.output) == [expected[1]])

    let fromRepl = try MPIRun.runRepl(["--json"], in: folder, input: "experiment e \(settings)\nstep 3\nsave from-repl.safetensors\n")
    #expect(fromRepl.status == 0, "stderr: \(fromRepl.errors)")
    let onRanks = try MPIRun.run(ranks: 3, ["--json"], in: folder, input: "load from-repl.safetensors --as e\nset backend mpi\nstep 3\n")
    #expect(onRanks.status == 0, "stderr: \(onRanks.errors)")
    #expect(try Self.stepResults(onRanks.output) == [expected[1]])
    #expect(try Self.records(onRanks.output).first?["wire"] != nil, "the steps after 'set backend mpi' ran on the ranks")
  }

  /// A worker rank killed with SIGKILL ends the job: it exits non-zero, mpirun names the lost rank, and
  /// rank 0 says the job was ended; the autosave loads in plain hsq-repl and goes on bit-identically to
  /// an uninterrupted run.
  @Test func aKilledWorkerRankEndsTheJobNamingItAndTheAutosaveGoesOn() throws {
    let settings = try #require(Self.configurations["hsq+ef"])
    let folder = try MPIRun.folder()
    let script = "experiment e \(settings) backend=mpi autosave=2 autosave-file=e.autosave.safetensors\nrun --steps 100000000\n"
    let outcome = try MPIRun.run(ranks: 3, [], in: folder, input: script, timeout: 60) { process in
      // Kill rank 2 once a few autosaves have been written.
      let deadline = Date().addingTimeInterval(30)
      while !FileManager.default.fileExists(atPath: folder + "/e.autosave.safetensors"), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
      Thread.sleep(forTimeInterval: 0.3)
      let rank2 = ChildProcess.children(of: process.pid).first { pid in
        let environment = (try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8)) ?? ""
        return environment.split(separator: "\0").contains("OMPI_COMM_WORLD_RANK=2")
      }
      if let rank2 { kill(rank2, SIGKILL) }
    }
    #expect(outcome.status != 0)
    #expect(outcome.errors.contains("rank 2"), "stderr: \(outcome.errors)")
    #expect(outcome.errors.contains("hsq-mpi: mpirun ended the job"), "stderr: \(outcome.errors)")

    let resumed = try MPIRun.runRepl(["--json"], in: folder, input: "load e.autosave.safetensors --as e\nstep 1\nstep 1\n")
    #expect(resumed.status == 0, "stderr: \(resumed.errors)")
    let loaded = resumed.output.split(separator: "\n").first { $0.contains("\"load") } ?? ""
    let at = try #require(try JSONSerialization.jsonObject(with: Data(loaded.utf8)) as? [String: Any])
    let step = try #require((at["result"] as? [String: Any])?["step"] as? Int, "\(loaded)")
    #expect(step >= 2 && step % 2 == 0, "autosaved at step \(step)")
    let reference = try Self.threadsRun(settings, steps: [step, 1, 1])
    #expect(try Self.stepResults(resumed.output) == Array(reference.suffix(2)))
  }
}
