import ArgumentParser
import Foundation
import HSQ

/// The NumPy peer's `train` task reproduced: Fashion-MNIST MLP 784-128-10, N workers, parameter-server averaging.
struct TrainBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "The NumPy peer's train task: Fashion-MNIST MLP 784-128-10, workers × batch, SGD; samples/s and test accuracy.")

  @Option(help: "Steps (rounds).") var steps: Int = 200
  @Option(help: "Workers N.") var workers: Int = 8
  @Option(help: "Minibatch per worker.") var batch: Int = 32
  @Option(help: "Learning rate.") var lr: Double = 0.1
  @Option(help: "Heavy-ball momentum.") var momentum: Double = 0
  @Option(name: .customLong("weight-decay"), help: "L2 weight decay.") var weightDecay: Double = 0
  @Flag(help: "Error feedback, one memory per worker.") var ef = false
  @Option(help: "Codebook file (.fvecs, 16 × 256) for hsq; default: the kmeans construction.") var codebook: String?
  @Option(help: "hsq | qsgd | none, or any compressor spelling.") var compressor: String = "hsq"
  @Option(help: "Dataset (default fashion-mnist).") var dataset: String = "fashion-mnist"
  @Option(help: "Model (the peer's is mlp:hidden=128; only that one runs side by side).") var model: String = "mlp:hidden=128"
  @Option(name: .customLong("ef-scale"), help: "Error-feedback scale: a number in [0, 1], or warmup (2/(1 + e^(−epoch)) − 1).") var efScale: String = "1"
  @Option(help: "Worker threads (0: one per core).") var threads: Int = 0
  @Option(help: "The server's aggregator, e.g. median (default mean: the fused server pass).") var aggregator: String = "mean"
  @Option(name: .customLong("server-optimizer"), help: "The server optimizer, e.g. fedadam:lr=0.01 (default sgd).") var serverOptimizer: String = "sgd"
  @Option(help: "Path of a peer script (bench/peers/numpy_peer.py, bench/peers/torch_peer.py): run it first with the same flags and print the speed ratio.") var peer: String?

  @Option(help: "Runs of each side, alternating peer and hsq; the ratio line compares the medians.") var repeats: Int = 1
  @Flag(help: "Train with none and every registered compressor, interleaved, and print a samples/s table (error feedback on for contractive ones).") var all = false
  @Flag(help: "Train through a session with its journal off and on, interleaved; print the overhead and the journal's size.") var journal = false
  @Option(help: "With --journal: a snapshot every N steps (default: the journal's default).") var journalSteps: Int?
  @OptionGroup var blas: BLASKernelOptions

  func run() throws {
    guard repeats >= 1, steps >= 1 else { throw ValidationError("--repeats and --steps must be at least 1.") }
    if peer != nil, model != "mlp:hidden=128" {
      throw ValidationError("The peer trains only the MLP 784-128-10; drop --peer or --model.")
    }
    if all {
      if peer != nil { throw ValidationError("--all runs no peer; drop --peer or --all.") }
      blas.apply()
      return try runAll()
    }
    blas.apply()
    if journal { return try runJournalComparison() }
    var peerSpeeds: [Double] = [], ourSpeeds: [Double] = []
    var peerName = "numpy"
    for _ in 0..<repeats {
      if let peer {
        let (name, speeds) = try runPeer(peer)
        peerName = name
        peerSpeeds += speeds
      }
      ourSpeeds.append(try runOurs(compressor, ef: ef).samplesPerSecond)
    }
    if !peerSpeeds.isEmpty {
      printJSONLine([
        "ratio": "\(compressor) samples/s vs \(peerName) peer", "value": median(ourSpeeds) / median(peerSpeeds),
        "repeats": repeats, "hsq_median": median(ourSpeeds), "peer_median": median(peerSpeeds),
      ])
    }
  }

  /// Runs the peer with the same flags; prints its JSON line and returns its name ("numpy", "torch") and samples/s.
  func runPeer(_ script: String) throws -> (name: String, speeds: [Double]) {
    var args = ["train", "--steps", "\(steps)", "--workers", "\(workers)", "--batch", "\(batch)", "--lr", "\(lr)",
                "--momentum", "\(momentum)", "--weight-decay", "\(weightDecay)", "--compressor", compressor]
    if ef { args.append("--ef") }
    if let codebook { args += ["--codebook", codebook] }
    var speeds: [Double] = []
    var name = "numpy"
    for line in try Peer.run(script: script, arguments: args, options: blas) {
      print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
      if let speed = line["samples_per_s"] as? Double { speeds.append(speed) }
      if let peer = line["peer"] as? String { name = peer }
    }
    return (name, speeds)
  }

  /// Trains once (a fresh experiment) with `compressor` (a bench name or spelling); prints the JSON
  /// line unless `quiet` and returns samples/s and uplink bits per step.
  func runOurs(_ compressor: String, ef: Bool, quiet: Bool = false) throws -> TrainMeasurement {
    var config = ExperimentConfig()
    config.dataset = dataset
    config.model = model
    config.workers = workers
    config.batch = batch
    config.lr = lr
    config.momentum = momentum
    config.weightDecay = weightDecay
    config.errorFeedback = ef
    config.efScale = try ErrorFeedbackScale(parsing: efScale)
    config.compressor = spelling(of: compressor)
    config.trackTheory = false
    config.threads = threads
    try ExperimentConfig.field("aggregator").assign(aggregator, in: &config)
    try ExperimentConfig.field("server-optimizer").assign(serverOptimizer, in: &config)
    config.seed = 1
    let experiment = try Experiment(config)
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = experiment.run(until: StopCondition(steps: steps))
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if case .steps = outcome.reason {} else { throw BenchError("the run stopped early: \(outcome.reason)") }
    let evaluation = try experiment.evaluate()
    let samplesPerSecond = Double(steps * workers * batch) / seconds
    let bits = experiment.history.last?.cumulativeBitsUp ?? 0
    if quiet { return TrainMeasurement(samplesPerSecond: samplesPerSecond, bitsPerStep: Double(bits) / Double(steps)) }
    printJSONLine([
      "peer": "hsq", "task": "fmnist-mlp", "model": model, "compressor": compressor, "spec": experiment.uplink.spec,
      "steps": steps, "workers": workers, "batch": batch, "momentum": momentum, "ef": ef,
      "aggregator": experiment.aggregator.spec, "server_optimizer": experiment.serverOptimizer.spec,
      "samples_per_s": samplesPerSecond, "seconds": seconds, "test_accuracy": evaluation.accuracy ?? 0,
      "uplink_bits": bits, "blas_core": BLAS.coreName,
    ])
    return TrainMeasurement(samplesPerSecond: samplesPerSecond, bitsPerStep: Double(bits) / Double(steps))
  }

  func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  }

  func spelling(of name: String) -> String {
    switch name {
    case "hsq":
      let book = codebook.map { "codebook-path=\($0)" } ?? "codebook=kmeans"
      return "hsq:dim=16,k=256,norm-bits=6,\(book)"
    case "qsgd": return "qsgd:bits=2,bucket=128,norm=max"
    case "none": return "identity"
    default: return name
    }
  }
}
