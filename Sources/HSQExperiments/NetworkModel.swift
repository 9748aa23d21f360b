import Foundation
import HSQCore

/// The simulated time of a round when every worker talks to the server over its own link.
///
/// ```
/// round = max over participants w of (compute_w + uplink bits_w / up_w + latency)
///       + server
///       + max over participants w of (downlink bits / down_w + latency)
/// up_w = uplink · f_w,  down_w = downlink · f_w,  f_w = exp(spread · z_w),  z_w ~ N(0, 1) seeded per worker
/// compute_w = (declared compute, or the worker's measured gradient + compression seconds) / speed
/// ```
///
/// Written `network=link:uplink=10Mbit/s,downlink=50Mbit/s,latency=50ms` (the `network` setting; `none`
/// turns the model off and time is the measured wall time). `spread` > 0 makes the links heterogeneous:
/// a log-normal factor around the median, drawn once per worker from the experiment's seed (stream
/// `network`), the same for both directions. With `compute=measured` (the default) the round time
/// depends on this machine and is not deterministic; a declared `compute=20ms` makes it deterministic.
///
/// **Parameters**
/// - `uplink`: median uplink bandwidth, bit/s (units: bit/s, kbit/s, Mbit/s, Gbit/s); required.
/// - `downlink`: median downlink bandwidth (default: the uplink's).
/// - `latency`: one-way latency per message (s, ms, us; default 0).
/// - `spread`: σ of the log-normal bandwidth factor across workers (default 0: all links alike).
/// - `compute`: seconds of computation per worker and step, or `measured` (default).
/// - `speed`: the device's speed relative to this machine; compute time is divided by it (default 1).
/// - `server`: the server's seconds per round (default 0).
public struct NetworkModel: Sendable, Hashable {
  public var uplink: Double
  public var downlink: Double
  public var latency: Double
  public var spread: Double
  /// Declared compute seconds per worker and step; `nil`: measured.
  public var compute: Double?
  public var speed: Double
  public var server: Double

  public init(uplink: Double, downlink: Double? = nil, latency: Double = 0, spread: Double = 0, compute: Double? = nil, speed: Double = 1, server: Double = 0) {
    self.uplink = uplink
    self.downlink = downlink ?? uplink
    self.latency = latency
    self.spread = spread
    self.compute = compute
    self.speed = speed
    self.server = server
  }

  /// The model a `network` setting names, or `nil` for `none`.
  ///
  /// - Throws: an unknown parameter or unit, or a value out of range, naming the fix.
  public static func parse(_ text: String) throws -> NetworkModel? {
    if text == "none" { return nil }
    let request = try ComponentRequest(parsing: text)
    guard request.name == "link" else {
      throw HSQError.invalidParameter(component: "experiment", parameter: "network", problem: "'\(clipped(text))' is neither none nor link:uplink=10Mbit/s,…; e.g. network=link:uplink=10Mbit/s,downlink=50Mbit/s,latency=50ms.")
    }
    let known = ["uplink", "downlink", "latency", "spread", "compute", "speed", "server"]
    var values: [String: String] = [:]
    for (key, value) in request.arguments {
      guard known.contains(key) else {
        let hint = closestMatch(to: key, in: known).map { " Did you mean '\($0)'?" } ?? ""
        throw HSQError.invalidParameter(component: "network", parameter: key, problem: "'link' has no such parameter; its parameters are \(known.joined(separator: ", ")).\(hint)")
      }
      guard values[key] == nil else { throw HSQError.invalidParameter(component: "network", parameter: key, problem: "given twice; give it once.") }
      values[key] = value
    }
    guard let up = values["uplink"] else {
      throw HSQError.invalidParameter(component: "network", parameter: "uplink", problem: "is required; add e.g. uplink=10Mbit/s.")
    }
    let model = NetworkModel(
      uplink: try rate(up, "uplink"), downlink: try values["downlink"].map { try rate($0, "downlink") },
      latency: try values["latency"].map { try seconds($0, "latency") } ?? 0,
      spread: try values["spread"].map { try number($0, "spread", 0...10) } ?? 0,
      compute: try values["compute"].flatMap { $0 == "measured" ? nil : try seconds($0, "compute") },
      speed: try values["speed"].map { try number($0, "speed", 1e-6...1e6) } ?? 1,
      server: try values["server"].map { try seconds($0, "server") } ?? 0)
    return model
  }

  /// Whether the round time depends on measured compute (and so is not deterministic).
  public var isMeasured: Bool { compute == nil }

  /// Worker `w`'s bandwidth factor f_w (1 without spread).
  public func factor(worker w: Int, seed: UInt64) -> Double {
    guard spread > 0 else { return 1 }
    var rng = RandomStream.derived(from: seed, purpose: "network", w)
    return exp(spread * rng.gaussian())
  }

  /// One participant of a round: its worker index, uplink bits and measured compute seconds.
  public struct Participant: Sendable, Hashable {
    public var worker: Int
    public var bitsUp: Int
    public var measuredCompute: Double

    public init(worker: Int, bitsUp: Int, measuredCompute: Double) {
      self.worker = worker
      self.bitsUp = bitsUp
      self.measuredCompute = measuredCompute
    }
  }

  /// The simulated seconds of a round with these participants and a broadcast of `bitsDown` bits.
  public func roundSeconds(_ participants: [Participant], bitsDown: Int, seed: UInt64) -> Double {
    var slowestUp = 0.0, slowestDown = 0.0
    for p in participants {
      let f = factor(worker: p.worker, seed: seed)
      let compute = (compute ?? p.measuredCompute) / speed
      slowestUp = max(slowestUp, compute + Double(p.bitsUp) / (uplink * f) + latency)
      slowestDown = max(slowestDown, Double(bitsDown) / (downlink * f) + latency)
    }
    return slowestUp + server + slowestDown
  }

  /// The model in one line, for `show`.
  public var summary: String {
    var text = "network: uplink \(Self.rateText(uplink)), downlink \(Self.rateText(downlink)), latency \(Self.secondsText(latency))"
    if spread > 0 { text += ", links log-normal across workers (σ = \(formatNumber(spread)))" }
    text += ", compute " + (compute.map { Self.secondsText($0) + "/step declared" } ?? "measured")
    if speed != 1 { text += " ÷ speed \(formatNumber(speed))" }
    if server > 0 { text += ", server \(Self.secondsText(server))" }
    return text + "; round = slowest (compute + up bits/uplink + latency) + server + slowest (down bits/downlink + latency)"
  }

  static func rate(_ text: String, _ name: String) throws -> Double {
    let units: [(String, Double)] = [("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3), ("bit/s", 1), ("Gbps", 1e9), ("Mbps", 1e6), ("kbps", 1e3), ("bps", 1)]
    let (number, scale) = split(text, units)
    guard let v = Double(number), v.isFinite, v > 0 else {
      throw HSQError.invalidParameter(component: "network", parameter: name, problem: "'\(clipped(text))' is not a positive bandwidth; write e.g. 10Mbit/s, 500kbit/s or 1e7 (bit/s).")
    }
    return v * scale
  }

  static func seconds(_ text: String, _ name: String) throws -> Double {
    let (number, scale) = split(text, [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("min", 60), ("s", 1)])
    guard let v = Double(number), v.isFinite, v >= 0 else {
      throw HSQError.invalidParameter(component: "network", parameter: name, problem: "'\(clipped(text))' is not a duration ≥ 0; write e.g. 50ms, 0.2s or 0.05 (seconds).")
    }
    return v * scale
  }

  static func number(_ text: String, _ name: String, _ range: ClosedRange<Double>) throws -> Double {
    guard let v = Double(text), range.contains(v) else {
      throw HSQError.invalidParameter(component: "network", parameter: name, problem: "'\(clipped(text))' is not a number in \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound)).")
    }
    return v
  }

  private static func split(_ text: String, _ units: [(String, Double)]) -> (String, Double) {
    for (unit, scale) in units where text.hasSuffix(unit) { return (String(text.dropLast(unit.count)), scale) }
    return (text, 1)
  }

  static func rateText(_ bps: Double) -> String {
    if bps >= 1e9 { return formatNumber(bps / 1e9) + " Gbit/s" }
    if bps >= 1e6 { return formatNumber(bps / 1e6) + " Mbit/s" }
    if bps >= 1e3 { return formatNumber(bps / 1e3) + " kbit/s" }
    return formatNumber(bps) + " bit/s"
  }

  static func secondsText(_ s: Double) -> String {
    s < 1 && s > 0 ? formatNumber(s * 1000) + " ms" : formatNumber(s) + " s"
  }
}
