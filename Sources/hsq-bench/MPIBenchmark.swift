import ArgumentParser
import Foundation
import HSQ

/// `backend=mpi` against `backend=threads` on the train task, and the wire's cost per compressor:
/// each run is `hsq-mpi --json` on a script (under `mpirun -n R` for MPI, alone for threads).
struct MPIBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mpi",
    abstract: "backend=mpi (hsq-mpi under mpirun) against backend=threads on the MLP task, and the wire cost per compressor.",
    discussion: """
      (a) The train task (Fashion-MNIST MLP 784-128-10, --workers × --batch) with backend=threads and with backend=mpi \
      on each of --ranks ranks, interleaved --repeats times: samples/s and where a step's time goes (compute and \
      encode summed over the workers, rank 0's exchange, the slowest worker process, communication, decode + \
      aggregate). (b) With --payload, hsq, qsgd, topk and identity with backend=mpi on --payload-ranks ranks: per step \
      the bytes on the wire against the time spent communicating. A run's time is from the end of its warm-up steps \
      to the end of its timed steps, as hsq-mpi reports them. Needs mpirun (apt-get install openmpi-bin) and a \
      built hsq-mpi (by default the one next to this executable).
      """)

  @Option(help: "Timed steps per run.") var steps: Int = 200
  @Option(help: "Untimed steps first (loading, first-touch).") var warmup: Int = 10
  @Option(help: "Workers N.") var workers: Int = 8
  @Option(help: "Minibatch per worker.") var batch: Int = 32
  @Option(help: "Compressor of part (a): hsq, qsgd, topk, none, or any spelling.") var compressor: String = "hsq"
  @Flag(help: "Error feedback in part (a).") var ef = false
  @Option(help: "Comma-separated rank counts for backend=mpi in part (a).") var ranks: String = "2,3"
  @Option(help: "Runs of each configuration, interleaved; the tables give medians.") var repeats: Int = 3
  @Flag(help: "Also part (b): the wire cost of hsq, qsgd, topk and identity.") var payload = false
  @Option(name: .customLong("payload-ranks"), help: "Ranks for part (b).") var payloadRanks: Int = 2
  @Option(name: .customLong("hsq-mpi"), help: "The hsq-mpi to run (default: next to this executable).") var hsqMPI: String?
  @Option(help: "Dataset.") var dataset: String = "fashion-mnist"
  @Option(help: "Model.") var model: String = "mlp:hidden=128"
  @Option(name: .customLong("settings"), help: "More experiment settings for every run, e.g. 'track-gradient-norm=false'.")
  var extraSettings: String = ""

  func run() throws {
    guard repeats >= 1, steps >= 1, warmup >= 1 else { throw ValidationError("--repeats, --steps and --warmup must be at least 1.") }
    let rankCounts = try ranks.split(separator: ",").map { text -> Int in
      guard let r = Int(text), r >= 1 else { throw ValidationError("--ranks takes rank counts like 2,3; '\(text)' is not one.") }
      return r
    }
    let binary = hsqMPI ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
      .appendingPathComponent("hsq-mpi").path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw BenchError("no hsq-mpi at \(binary); build it (swift build -c release --product hsq-mpi) or give --hsq-mpi PATH.")
    }
    guard let mpirun = Self.onPath("mpirun") else { throw BenchError("mpirun is not on PATH; apt-get install openmpi-bin libopenmpi-dev.") }
    let runner = Runner(binary: binary, mpirun: mpirun, steps: steps, warmup: warmup, workers: workers, batch: batch)

    // (a) threads and mpi on each rank count, interleaved.
    let setups: [(name: String, ranks: Int?)] = [("threads", nil)] + rankCounts.map { ("mpi", $0) }
    var runs = Array(repeating: [RunMeasurement](), count: setups.count)
    for _ in 0..<repeats {
      for (i, setup) in setups.enumerated() {
        runs[i].append(try runner.measure(settings(compressor, ef: ef) + " backend=\(setup.name)", ranks: setup.ranks))
      }
    }
    let medians = runs.map(RunMeasurement.median)
    let threadsStep = medians[0].secondsPerStep
    var table = TextTable(columns: ["backend", "ranks", "samples/s", "ms/step", "vs threads", "compute Σ", "encode Σ",
                                    "rank-0 exchange", "slowest worker", "communicate", "decode + aggregate", "↑ bytes/step", "↓ bytes/step"])
    for (setup, m) in zip(setups, medians) {
      table.append([setup.name, setup.ranks.map(String.init) ?? "1 (process)", Self.fixed(m.samplesPerSecond(workers * batch), 0),
                    Self.ms(m.secondsPerStep), setup.ranks == nil ? "—" : String(format: "%+.1f%%", 100 * (m.secondsPerStep / threadsStep - 1)),
                    Self.ms(m.compute), Self.ms(m.encode), m.wire.map { Self.ms($0.exchange) } ?? "—", m.wire.map { Self.ms($0.slowest) } ?? "—",
                    m.wire.map { Self.ms(max(0, $0.exchange - $0.slowest)) } ?? "—", m.wire.map { Self.ms($0.server) } ?? "—",
                    m.wire.map { Self.count($0.bytesUp) } ?? "—", m.wire.map { Self.count($0.bytesDown) } ?? "—"])
    }
    print("(a) \(model) on \(dataset), \(workers) workers × \(batch), \(spelling(compressor))\(ef ? " + EF" : "")\(extraSettings.isEmpty ? "" : ", " + extraSettings), \(steps) steps, median of \(repeats)")
    print(table.markdown)
    // Run by run: each mpi run against the threads run just before it, so a slow spell of the machine that spans
    // a pair slows both sides of its ratio.
    for (i, setup) in setups.enumerated() where setup.ranks != nil {
      let ratios = zip(runs[i], runs[0]).map { 100 * ($0.secondsPerStep / $1.secondsPerStep - 1) }.sorted()
      let each = ratios.map { String(format: "%+.1f%%", $0) }.joined(separator: ", ")
      print("mpi on \(setup.ranks!) ranks against the threads run just before it, run by run: median \(String(format: "%+.1f%%", ratios[ratios.count / 2])) (\(each))")
    }
    print("compute Σ, encode Σ: summed over the step's workers (they run in parallel); rank-0 exchange: sending the commands to holding every answer (round and commit); slowest worker: the longest a worker process spent on them; communicate: the exchange beyond it.\n")

    guard payload else { return }
    // (b) the wire against the payload.
    let compressors = ["hsq", "qsgd", "topk", "none"]
    var byCompressor = Array(repeating: [RunMeasurement](), count: compressors.count)
    for _ in 0..<repeats {
      for (i, name) in compressors.enumerated() {
        byCompressor[i].append(try runner.measure(settings(name, ef: false) + " backend=mpi", ranks: payloadRanks))
      }
    }
    var costs = TextTable(columns: ["compressor", "payload bytes ↑/step", "diagnostics ↑/step", "wire bytes ↑/step", "wire bytes ↓/step",
                                    "rank-0 exchange", "slowest worker", "communicate", "ms/step"])
    for (name, runs) in zip(compressors, byCompressor) {
      let m = RunMeasurement.median(runs)
      guard let w = m.wire else { continue }
      costs.append([spelling(name), Self.count(w.payloadBytesUp), Self.count(w.diagnosticBytesUp), Self.count(w.bytesUp), Self.count(w.bytesDown),
                    Self.ms(w.exchange), Self.ms(w.slowest), Self.ms(max(0, w.exchange - w.slowest)), Self.ms(m.secondsPerStep)])
    }
    print("(b) the wire per step against the payload: \(workers) workers × \(batch), backend=mpi on \(payloadRanks) ranks, \(steps) steps, median of \(repeats)")
    print(costs.markdown)
  }

  func settings(_ compressor: String, ef: Bool) -> String {
    "dataset=\(dataset) model=\(model) workers=\(workers) batch=\(batch) lr=0.1 seed=1 track-theory=false compressor=\(spelling(compressor)) ef=\(ef)"
      + (extraSettings.isEmpty ? "" : " " + extraSettings)
  }

  func spelling(_ name: String) -> String {
    switch name {
    case "hsq": return "hsq:dim=16,k=256,norm-bits=6,codebook=kmeans"
    case "qsgd": return "qsgd:bits=2,bucket=128,norm=max"
    case "topk": return "topk:ratio=0.01"
    case "none": return "identity"
    default: return name
    }
  }

  static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
  static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
  static func count(_ bytes: Double) -> String {
    bytes >= 1e6 ? String(format: "%.2f MB", bytes / 1e6) : bytes >= 1e3 ? String(format: "%.1f kB", bytes / 1e3) : String(format: "%.0f B", bytes)
  }

  static func onPath(_ name: String) -> String? {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }
}

/// What one run measured: seconds per timed step, and per step the means of the records' figures.
struct RunMeasurement {
  struct Wire {
    var bytesUp = 0.0, bytesDown = 0.0, payloadBytesUp = 0.0, diagnosticBytesUp = 0.0
    var exchange = 0.0, slowest = 0.0, server = 0.0
  }

  var secondsPerStep: Double
  var compute: Double
  var encode: Double
  var wire: Wire?

  func samplesPerSecond(_ perStep: Int) -> Double { Double(perStep) / secondsPerStep }

  /// The run with the median time per step (its figures kept together).
  static func median(_ runs: [RunMeasurement]) -> RunMeasurement {
    runs.sorted { $0.secondsPerStep < $1.secondsPerStep }[runs.count / 2]
  }
}

/// Runs `hsq-mpi --json` on a warm-up and a timed `step`, and reads the timed step's records.
struct Runner {
  let binary: String
  let mpirun: String
  let steps: Int
  let warmup: Int
  let workers: Int
  let batch: Int

  func measure(_ settings: String, ranks: Int?) throws -> RunMeasurement {
    let program = ranks.map { (mpirun, ["--oversubscribe", "--bind-to", "none", "-n", "\($0)", binary, "--json"]) } ?? (binary, ["--json"])
    var environment = ProcessInfo.processInfo.environment
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    let process = try ChildProcess(path: program.0, program.1, environment: environment, input: .pipe, output: .pipe)
    process.input?.write(Data("experiment e \(settings)\nstep \(warmup)\nstep \(steps)\n".utf8))
    try process.input?.close()
    // Each command's JSON line is flushed when the command ends: its arrival times the steps.
    var pending = Data()
    var lines: [(arrived: UInt64, text: String)] = []
    while let chunk = process.output?.availableData, !chunk.isEmpty {
      let now = DispatchTime.now().uptimeNanoseconds
      pending.append(chunk)
      while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
        lines.append((now, String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)))
        pending.removeSubrange(pending.startIndex...newline)
      }
    }
    let end = try process.wait()
    let steps = lines.filter { $0.text.hasPrefix("{") && $0.text.contains("\"command\":\"step ") }
    guard end.exitStatus == 0, steps.count == 2 else {
      throw BenchError("hsq-mpi (\(ranks.map { "\($0) ranks" } ?? "alone")) \(end) after \(steps.count) of 2 step commands; settings: \(settings)")
    }
    let object = try JSONSerialization.jsonObject(with: Data(steps[1].text.utf8)) as? [String: Any]
    guard object?["ok"] as? Bool == true, let records = (object?["result"] as? [String: Any])?["records"] as? [[String: Any]], records.count == self.steps else {
      throw BenchError("the timed step did not give \(self.steps) records: \(steps[1].text.prefix(300))")
    }
    let n = Double(records.count)
    func mean(_ key: String, in list: [[String: Any]]) -> Double { list.reduce(0) { $0 + (($1[key] as? Double) ?? 0) } / n }
    let wires = records.compactMap { $0["wire"] as? [String: Any] }
    let wire = wires.count == records.count ? RunMeasurement.Wire(
      bytesUp: mean("bytes_up", in: wires), bytesDown: mean("bytes_down", in: wires), payloadBytesUp: mean("payload_bytes_up", in: wires),
      diagnosticBytesUp: mean("diagnostic_bytes_up", in: wires), exchange: mean("exchange_s", in: wires),
      slowest: mean("slowest_worker_s", in: wires), server: mean("server_s", in: wires)) : nil
    return RunMeasurement(
      secondsPerStep: Double(steps[1].arrived - steps[0].arrived) / 1e9 / n,
      compute: mean("compute_s", in: records), encode: mean("compress_s", in: records), wire: wire)
  }
}
