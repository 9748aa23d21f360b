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
  @Option(help: "Path of numpy_hsq.py: run it first with the same flags and print the speed ratio.") var peer: String?

  func run() throws {
    var peerSpeed: Double?
    if let peer {
      guard model == "mlp:hidden=128" else { throw ValidationError("The peer trains only the MLP 784-128-10; drop --peer or --model.") }
      var args = ["train", "--steps", "\(steps)", "--workers", "\(workers)", "--batch", "\(batch)", "--lr", "\(lr)",
                  "--momentum", "\(momentum)", "--weight-decay", "\(weightDecay)", "--compressor", compressor]
      if ef { args.append("--ef") }
      if let codebook { args += ["--codebook", codebook] }
      for line in try Peer.run(script: peer, arguments: args) {
        print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
        peerSpeed = line["samples_per_s"] as? Double
      }
    }
    var config = ExperimentConfig()
    config.dataset = dataset
    config.model = model
    config.workers = workers
    config.batch = batch
    config.lr = lr
    config.momentum = momentum
    config.weightDecay = weightDecay
    config.errorFeedback = ef
    config.efScale = efScale
    config.compressor = spelling(of: compressor)
    config.trackTheory = false
    config.threads = threads
    config.seed = 1
    let experiment = try Experiment(config)
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = experiment.run(until: StopCondition(steps: steps))
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if case .steps = outcome.reason {} else { throw BenchError("the run stopped early: \(outcome.reason)") }
    let evaluation = try experiment.evaluate()
    let samplesPerSecond = Double(steps * workers * batch) / seconds
    printJSONLine([
      "peer": "hsq", "task": "fmnist-mlp", "model": model, "compressor": compressor, "spec": experiment.uplink.spec,
      "steps": steps, "workers": workers, "batch": batch, "momentum": momentum, "ef": ef,
      "samples_per_s": samplesPerSecond, "seconds": seconds, "test_accuracy": evaluation.accuracy ?? 0,
      "uplink_bits": experiment.history.last?.cumulativeBitsUp ?? 0,
    ])
    if let peerSpeed {
      printJSONLine(["ratio": "\(compressor) samples/s vs numpy peer", "value": samplesPerSecond / peerSpeed])
    }
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
