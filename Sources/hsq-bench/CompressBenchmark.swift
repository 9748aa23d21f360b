import ArgumentParser
import Foundation
import HSQ

/// Compress + decompress time, relative error, bits and peak memory on a Gaussian gradient.
struct CompressBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compress",
    abstract: "Compress + decompress time, relative error, bits and peak memory on a Gaussian gradient.")

  @Option(help: "Gradient length d.") var d: Int = 1 << 22
  @Option(help: "HSQ sub-vector dimension D.") var dim: Int = 16
  @Option(help: "HSQ codebook size K.") var k: Int = 256
  @Option(name: .customLong("norm-bits"), help: "HSQ scalar bits n.") var normBits: Int = 6
  @Option(name: .customLong("qsgd-bits"), help: "QSGD bits (s = 2^bits levels).") var qsgdBits: Int = 2
  @Option(name: .customLong("qsgd-bucket"), help: "QSGD bucket size.") var qsgdBucket: Int = 128
  @Option(help: "Repetitions; the median and minimum are reported.") var reps: Int = 5
  @Option(help: "HSQ codebook construction (the peer uses normalized Gaussians).") var codebook: String = "gaussian"
  @Option(name: .customLong("log-d"), help: "Length for the hsq-log measurement (0 skips it).") var logD: Int = 1 << 24
  @Option(help: "Path of a peer script (bench/peers/numpy_peer.py, bench/peers/torch_peer.py): run it first with the same flags and print speed ratios.") var peer: String?

  @OptionGroup var blas: BLASKernelOptions

  func run() throws {
    guard d >= 1, logD >= 0, reps >= 1 else { throw ValidationError("--d and --reps must be at least 1 (and --log-d at least 0).") }
    // The gradient, its compressor input and decoded output, and a payload of at most its size, per length.
    try MemoryBudget.current.check(
      4 * .floats(d) + 4 * .floats(logD), for: "The benchmark", detail: "4 × (d + log-d) Float32 values",
      fix: "Lower '--d' or '--log-d'")
    blas.apply()
    var peerMedians: [String: Double] = [:]
    var peerName = "numpy"
    if let peer {
      let args = ["bench", "--d", "\(d)", "--dim", "\(dim)", "--k", "\(k)", "--norm-bits", "\(normBits)",
                  "--qsgd-bits", "\(qsgdBits)", "--qsgd-bucket", "\(qsgdBucket)", "--reps", "\(reps)"]
      for line in try Peer.run(script: peer, arguments: args, options: blas) {
        print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
        if let name = line["compressor"] as? String, let median = line["median_s"] as? Double { peerMedians[name] = median }
        if let name = line["peer"] as? String { peerName = name }
      }
    }
    var rng = RandomStream.derived(from: 0, purpose: "bench-gradient")
    let gradient = (0..<d).map { _ in Float(rng.gaussian()) }
    let cases: [(label: String, spec: String, length: Int)] = [
      ("hsq-nn", "hsq:dim=\(dim),k=\(k),codebook=\(codebook),norm-bits=\(normBits)", d),
      ("qsgd", "qsgd:bits=\(qsgdBits),bucket=\(qsgdBucket),norm=max", d),
    ] + (logD > 0 ? [("hsq-log", "hsq-log", logD)] : [])
    for (label, spec, length) in cases {
      let compressor = try Compressors.make(spec)
      let input = length == d ? gradient : (0..<length).map { _ in Float(rng.gaussian()) }
      let m = try measure(compressor, input)
      printJSONLine([
        "peer": "hsq", "compressor": label, "spec": compressor.spec, "d": length, "dim": dim, "k": k,
        "median_s": m.median, "min_s": m.min, "rel_error": m.relError, "bits": m.bits,
        "peak_rss_bytes": m.peak, "peak_rss_above_baseline_bytes": m.peakAbove,
        "gradient_bytes": length * 4,
      ])
      if let theirs = peerMedians[label] {
        printJSONLine(["ratio": "\(label) speed-up vs \(peerName) peer (median)", "value": theirs / m.median])
      }
    }
  }

  struct Measurement { var median, min, relError: Double; var bits, peak, peakAbove: Int }

  func measure(_ compressor: any Compressor, _ g: [Float]) throws -> Measurement {
    var times: [Double] = []
    var output: [Float] = []
    var bits = 0
    let baseline = ProcessMemory.resident
    ProcessMemory.resetPeak()
    for rep in 0..<max(1, reps) {
      output = []
      var rng = RandomStream.derived(from: 1, purpose: "bench-compress", rep)
      let start = DispatchTime.now().uptimeNanoseconds
      let payload = try compressor.encode(g, rng: &rng)
      output = try compressor.decode(payload, length: g.count)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      bits = payload.bitCount
    }
    let peak = ProcessMemory.peak
    times.sort()
    let relError = Vec.squaredDistance(output, g) / Vec.squaredNorm(g)
    return Measurement(median: times[times.count / 2], min: times[0], relError: relError,
                       bits: bits, peak: peak, peakAbove: max(0, peak - baseline))
  }
}
