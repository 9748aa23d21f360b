import Foundation
import HSQ

/// One training run's speed and uplink traffic.
struct TrainMeasurement {
  var samplesPerSecond: Double
  /// Uplink bits per step, all workers together.
  var bitsPerStep: Double
}

extension TrainBenchmark {
  /// The compressors `--all` trains: `none`, then every registered name (new ones join by registering).
  ///
  /// Error feedback is on exactly for those whose guarantee is a δ-contraction on the model's length.
  func allEntries(length d: Int) -> [(name: String, ef: Bool)] {
    var entries: [(name: String, ef: Bool)] = [("none", false)]
    for name in Compressors.registry.names where name != "identity" {
      guard let compressor = try? Compressors.make(spelling(of: name)) else { continue }
      if case .contraction = compressor.guarantee(length: d) { entries.append((name, true)) } else { entries.append((name, false)) }
    }
    return entries
  }

  /// Trains `none` and every registered compressor `--repeats` times, interleaved round by round so
  /// machine noise hits all alike, and prints a table of median samples/s, % of none and uplink bits/step.
  func runAll() throws {
    let d = try modelLength()
    let entries = allEntries(length: d)
    var speeds = [[Double]](repeating: [], count: entries.count)
    var bits = [Double](repeating: 0, count: entries.count)
    for _ in 0..<repeats {
      for (i, entry) in entries.enumerated() {
        let m = try runOurs(entry.name, ef: entry.ef, quiet: true)
        speeds[i].append(m.samplesPerSecond)
        bits[i] = m.bitsPerStep
      }
    }
    let noneSpeed = median(speeds[0])
    let nameWidth = max(10, entries.map { $0.name.count + ($0.ef ? 5 : 0) }.max() ?? 0)
    print("compressor".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "   samples/s   % of none   uplink bits/step")
    for (i, entry) in entries.enumerated() {
      let label = entry.name + (entry.ef ? " + EF" : "")
      let speed = median(speeds[i])
      print(label.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        + String(format: "  %10.0f   %8.1f %%   %16.0f", speed, 100 * speed / noneSpeed, bits[i]))
    }
    print("(\(model), \(workers) workers × \(batch), \(steps) steps, median of \(repeats); largest layer d = \(d))")
  }

  /// The model's largest layer length, on which each compressor's guarantee is read.
  func modelLength() throws -> Int {
    var config = ExperimentConfig()
    config.dataset = dataset
    config.model = model
    config.workers = 1
    config.compressor = "identity"
    config.trackTheory = false
    return try Experiment(config).parameters.map(\.count).max() ?? 0
  }
}
