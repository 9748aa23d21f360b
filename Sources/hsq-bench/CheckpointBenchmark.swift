import ArgumentParser
import Foundation
@_spi(Benchmarks) import HSQExperiments
import HSQ

/// Checkpoints at federated scale: an experiment with many clients, few of whom take part, saved and loaded.
struct CheckpointBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint",
    abstract: "Saves and loads an experiment of many clients (error feedback, partial participation): file size, seconds, peak memory.",
    discussion: """
      Runs the experiment, then measures 'save' (the file's bytes, seconds, and the resident memory it adds at \
      its peak, VmHWM after resetting it, over VmRSS before) and 'load' (seconds, the peak it adds). state_bytes \
      is what the checkpoint must hold: the parameters, initial parameters and velocity, the server's memory, \
      and the memories of the clients whose memory is not zeros. Prints one JSON line.
      """)

  @Option(help: "Clients N.") var workers: Int = 10_000
  @Option(help: "Fraction of clients in each round.") var participation: Double = 0.0008
  @Option(help: "Steps before the save.") var steps: Int = 50
  @Option(help: "Model.") var model: String = "mlp:hidden=128"
  @Option(help: "Dataset (the default gives the MLP 784-128-10 of Fashion-MNIST, 101,770 parameters, and 2 examples a client).") var dataset: String = "gaussian-mixture:d=784,n=20000"
  @Option(help: "Compressor.") var compressor: String = "hsq"
  @Option(help: "The checkpoint file (removed afterwards unless --keep).") var file: String = "hsq-bench-checkpoint.safetensors"
  @Flag(help: "Keep the checkpoint file.") var keep = false
  @Flag(help: "Measure the JSON checkpoint (version 2, every memory in base64) that 'save' wrote before safetensors.") var json = false

  func run() throws {
    var config = ExperimentConfig()
    config.model = model
    config.dataset = dataset
    config.compressor = compressor
    config.workers = workers
    config.participation = participation
    config.errorFeedback = true
    let e = try Experiment(config)
    _ = e.run(until: StopCondition(steps: steps))
    guard e.stepCount == steps else { throw ValidationError("The run stopped at step \(e.stepCount) of \(steps).") }
    defer { if !keep { try? FileManager.default.removeItem(atPath: file) } }

    let residentBeforeSave = ProcessMemory.resident
    ProcessMemory.resetPeak()
    let saveStart = Date()
    if json { try e.saveVersion2JSON(to: file) } else { try e.save(to: file) }
    let saveSeconds = Date().timeIntervalSince(saveStart)
    let savePeak = ProcessMemory.peak
    let fileBytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
    // The JSON file holds every memory; the state is what the safetensors file of the same experiment holds.
    let entries = try json ? [:] : SafeTensorsFile(path: file).entries
    let stored = entries.keys.filter { $0.hasPrefix("memories.") }.count / e.model.layers.count
    let stateBytes = entries.values.reduce(0) { $0 + 4 * $1.count }

    // Loading the JSON file takes several times its size in memory: measured for safetensors only (else null).
    var load: (seconds: Double, residentBefore: Double, peak: Double, step: Double) = (.nan, .nan, .nan, .nan)
    if !json {
      let residentBefore = ProcessMemory.resident
      ProcessMemory.resetPeak()
      let start = Date()
      let loaded = try Experiment.load(from: file)
      load = (Date().timeIntervalSince(start), Double(residentBefore), Double(ProcessMemory.peak), Double(loaded.stepCount))
    }
    let parameterCount = e.model.parameterCount
    printJSONLine([
      "benchmark": "checkpoint", "format": json ? "json-v2" : "safetensors", "workers": workers, "participation": participation, "steps": steps, "model": model,
      "parameters": parameterCount, "memories_stored": stored, "state_bytes": stateBytes, "file_bytes": fileBytes,
      "save_seconds": saveSeconds, "resident_before_save": residentBeforeSave, "save_peak_resident": savePeak,
      "save_peak_added": savePeak - residentBeforeSave, "load_seconds": load.seconds, "resident_before_load": load.residentBefore,
      "load_peak_resident": load.peak, "load_peak_added": load.peak - load.residentBefore, "loaded_step": load.step,
    ])
  }
}
