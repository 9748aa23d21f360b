import Foundation
import HSQ
import HSQTestSupport
@testable import HSQExperiments
import Testing

/// Checkpoints are safetensors files: sized by the clients that took part, read by NumPy, resumed bit-identically.
@Suite struct SafeTensorsCheckpointTests {
  static func temporaryPath(_ name: String = "checkpoint") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("hsq-\(name)-\(UUID()).safetensors").path
  }

  /// The federated case: 10,000 clients, 8 a round (0.08 %), error feedback, the MLP 784-128-10
  /// (101,770 parameters), 2 examples a client.
  static func federated() -> ExperimentConfig {
    var c = ExperimentConfig()
    c.dataset = "gaussian-mixture:d=784,n=20000"
    c.workers = 10_000
    c.participation = 0.0008
    c.errorFeedback = true
    c.compressor = "hsq"
    return c
  }

  /// The memory check counts every client's round as if all took part (29 GB here); a few hundred do.
  static let roomy = MemoryBudget(bytes: 64 << 30)

  @Test func tenThousandClientsSaveWhatExistsAndResumeBitIdentically() throws {
    try MemoryBudget.$current.withValue(Self.roomy) { try Self.federatedSaveAndResume() }
  }

  static func federatedSaveAndResume() throws {
    let config = Self.federated()
    let straight = try Experiment(config)
    _ = straight.run(until: StopCondition(steps: 60))
    let first = try Experiment(config)
    _ = first.run(until: StopCondition(steps: 50))
    let path = Self.temporaryPath("federated")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let start = Date()
    try first.save(to: path)
    let seconds = Date().timeIntervalSince(start)

    // Memories are stored for the clients that took part (at most 8 a round), none for the other ~9,600.
    let file = try SafeTensorsFile(path: path)
    let layers = first.model.layers
    let stored = Set(file.entries.keys.filter { $0.hasPrefix("memories.") }.map { $0.split(separator: ".")[1] })
    #expect(stored.count > 8 && stored.count <= 50 * 8, "\(stored.count) memories stored")
    let parameterBytes = 4 * first.model.parameterCount
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    // parameters, initial parameters, velocity, the participants' memories; the header is a few kB a memory at most.
    let data = parameterBytes * (3 + stored.count)
    #expect(size >= data && size <= data + 8192 + 512 * stored.count * layers.count, "\(size) bytes for \(stored.count) memories of \(parameterBytes)")
    #expect(seconds < 30, "saved in \(seconds) s")

    let resumed = try Experiment.load(from: path)
    _ = resumed.run(until: StopCondition(steps: 10))
    #expect(resumed.history.map(\.withoutTimings) == straight.history.map(\.withoutTimings))
    #expect(resumed.parameters.map { $0.map(\.bitPattern) } == straight.parameters.map { $0.map(\.bitPattern) })
  }

  /// `hsq-bench checkpoint` in a process of its own: the resident memory a save adds at its peak (VmHWM reset
  /// before it) stays within 10 % of the state it writes; the file is that state.
  @Test(.requires("hsq-bench built beside the tests", FileManager.default.isExecutableFile(atPath: benchPath)))
  func savingTenThousandClientsAddsAtMostATenthOfTheStateToResidentMemory() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-bench-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let (status, output) = try Subprocess.run(Self.benchPath, ["checkpoint"], environment: ["HSQ_MEMORY_LIMIT": "64GB"], directory: folder)
    try #require(status == 0, "\(output)")
    let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
    let figures = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    let state = try #require(figures["state_bytes"] as? Int), file = try #require(figures["file_bytes"] as? Int)
    let added = try #require(figures["save_peak_added"] as? Int)
    #expect(file >= state && file < state + state / 50, "\(figures)")
    #expect(added <= state / 10, "a save added \(added) bytes at its peak for a state of \(state): \(figures)")
    #expect(figures["loaded_step"] as? Double == 50)
  }

  static var benchPath: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hsq-bench").path
  }

  /// Whether `python3` imports safetensors and numpy.
  static var hasSafeTensors: Bool {
    guard let python = executableOnPath("python3"),
          let (status, _) = try? Subprocess.run(python, ["-c", "import safetensors.numpy, numpy"]) else { return false }
    return status == 0
  }

  /// What a researcher's script does with a checkpoint: open it with safetensors, read the history from the metadata.
  static let readScript = """
    import json, sys
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import load_file
    tensors = load_file(sys.argv[1])
    with safe_open(sys.argv[1], framework="np") as f:
        meta = f.metadata()
    state = json.loads(meta["checkpoint"])
    out = {"format": meta["format"], "steps": len(state["history"]), "workers": state["config"]["workers"],
           "parameters": {k[len("parameters."):]: {"shape": list(v.shape), "dtype": str(v.dtype),
                          "bits": v.astype("<f4").reshape(-1).view(np.uint32).tolist()}
                          for k, v in tensors.items() if k.startswith("parameters.")},
           "memories": sorted(k for k in tensors if k.startswith("memories."))}
    print(json.dumps(out))
    """

  @Test(.requires("python3 with safetensors and numpy (pip install safetensors numpy)", hasSafeTensors))
  func numpyReadsTheParametersBackBitForBit() throws {
    var c = ExperimentConfig()
    c.model = "mlp:hidden=16"
    c.dataset = "gaussian-mixture:d=8,n=256,n-test=64"
    c.workers = 6
    c.participation = 0.5
    c.errorFeedback = true
    c.compressor = "hsq:dim=8,k=32,codebook=gaussian"
    c.compressThreshold = 0
    let e = try Experiment(c)
    _ = e.run(until: StopCondition(steps: 3))
    let path = Self.temporaryPath("numpy")
    let script = Self.temporaryPath("read").replacingOccurrences(of: ".safetensors", with: ".py")
    defer {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.removeItem(atPath: script)
    }
    try e.save(to: path)
    try Self.readScript.write(toFile: script, atomically: true, encoding: .utf8)
    let (status, output) = try Subprocess.run(try #require(executableOnPath("python3")), [script, path])
    try #require(status == 0, "\(output)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    #expect(object["format"] as? String == "hsq-checkpoint" && object["steps"] as? Int == 3 && object["workers"] as? Int == 6)
    let parameters = try #require(object["parameters"] as? [String: [String: Any]])
    #expect(parameters.count == e.model.layers.count)
    for (layer, values) in zip(e.model.layers, e.parameters) {
      let tensor = try #require(parameters[layer.name], "no parameters.\(layer.name)")
      #expect(tensor["shape"] as? [Int] == layer.shape && tensor["dtype"] as? String == "float32")
      #expect((tensor["bits"] as? [UInt32]) == values.map(\.bitPattern), "parameters.\(layer.name)")
    }
    let memories = try #require(object["memories"] as? [String])
    #expect(!memories.isEmpty && memories.count % e.model.layers.count == 0, "\(memories)")
  }

  @Test func aJSONNameIsRefusedWithTheNameToUse() throws {
    let e = try Experiment(Self.small())
    try e.step()
    let error = #expect(throws: HSQError.self) { try e.save(to: "/tmp/run.json") }
    #expect(error?.description == "Cannot write '/tmp/run.json': checkpoints are safetensors files now (JSON checkpoints of earlier versions still load); save to '/tmp/run.safetensors'.")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/run.json"))
    var c = Self.small()
    #expect(throws: HSQError.self) { try ExperimentConfig.fields.first { $0.name == "autosave-file" }!.assign("run.json", in: &c) }
  }

  /// A JSON checkpoint written before (version 2) still loads and resumes bit-identically.
  @Test func aJSONCheckpointStillLoadsAndResumes() throws {
    var c = Self.small()
    c.errorFeedback = true
    let straight = try Experiment(c)
    _ = straight.run(until: StopCondition(steps: 4))
    let first = try Experiment(c)
    _ = first.run(until: StopCondition(steps: 2))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-old-\(UUID()).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var tree = try CheckpointFixture(first).tree
    tree[path: "config.autosaveFile"] = "old.json"
    try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: path))
    let resumed = try Experiment.load(from: path)
    #expect(resumed.config.autosaveFile == "old.safetensors", "an autosave named .json is written as safetensors beside it")
    _ = resumed.run(until: StopCondition(steps: 2))
    #expect(resumed.history.map(\.withoutTimings) == straight.history.map(\.withoutTimings))
    #expect(resumed.parameters.map { $0.map(\.bitPattern) } == straight.parameters.map { $0.map(\.bitPattern) })
  }

  static func small() -> ExperimentConfig {
    var c = ExperimentConfig()
    c.model = "least-squares"
    c.dataset = "linear:d=4,n=32,n-test=8"
    c.compressor = "hsq:dim=2,k=4,codebook=gaussian"
    c.compressThreshold = 0
    c.workers = 3
    c.participation = 0.4
    c.batch = 4
    c.threads = 1
    return c
  }
}
