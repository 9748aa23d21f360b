import Foundation
import HSQCore

/// The worker wire format, version 2: deterministic little-endian frames (see SEAM.md), so a transport only moves bytes.
///
/// ```
/// frame    = magic (4 bytes) · u16 version · body
/// request  "HSQq": i64 step · f64 lr · f32 efScale · u8 flags (bit 0: sendsRaw) · u32 n · n × u32 worker · layers
/// reply    "HSQr": u32 worker · f64 loss · f64 compute s · f64 compress s · u32 L ·
///                  L × (u64 bitCount · ⌈bitCount/8⌉ bytes · f64 ‖p‖² · f64 ‖Q(p) − p‖² · opt exact · opt bound) ·
///                  u8 diagnostics (0 none, 1 raw gradient: layers, 2 the round's mean's ‖ḡ‖² per layer: u32 L · L × f64)
/// command  "HSQc": u8 tag · body      response "HSQa": u8 tag · body
/// layers   = u32 L · L × (u64 n · n × f32)      opt = u8 present · [f64]
/// ```
public enum WorkerWire {
  /// 2: a reply's diagnostics tag 2 carries the norms of the round's mean, and memories of zeros travel as their shape.
  public static let version: UInt16 = 2
}

/// A message that also travels as a standalone frame: its magic, then its body.
protocol WireFramed {
  static var magic: String { get }
  /// The frame's name in error messages.
  static var frameName: String { get }
  func write(to w: inout WireWriter)
  init(from r: inout WireReader) throws
}

extension WireFramed {
  func framed(reservingCapacity capacity: Int) -> [UInt8] {
    var w = WireWriter(reservingCapacity: capacity)
    w.header(Self.magic, version: WorkerWire.version)
    write(to: &w)
    return w.bytes
  }

  init(framed bytes: [UInt8]) throws {
    var r = WireReader(bytes, frame: Self.frameName)
    try r.header(Self.magic, version: WorkerWire.version)
    try self.init(from: &r)
    try r.finish()
  }
}

extension RoundRequest: WireFramed {
  static let magic = "HSQq"
  static let frameName = "round request"

  /// The request as a standalone frame.
  public func encoded() -> [UInt8] { framed(reservingCapacity: 6 + writtenByteCount) }

  /// Decodes ``encoded()``; throws ``HSQError/malformedPayload(_:)`` naming what is wrong.
  public init(decoding bytes: [UInt8]) throws { try self.init(framed: bytes) }

  /// The bytes ``write(to:)`` appends.
  var writtenByteCount: Int { 8 + 8 + 4 + 1 + 4 + 4 * participants.count + 4 + parameters.reduce(0) { $0 + 8 + 4 * $1.count } }

  func write(to w: inout WireWriter) {
    w.i64(step)
    w.f64(lr)
    w.f32(efScale)
    w.u8(sendsRaw ? 1 : 0)
    w.count(participants.count)
    for p in participants { w.count(p) }
    w.layers(parameters)
  }

  init(from r: inout WireReader) throws {
    step = try r.i64()
    lr = try r.f64()
    efScale = try r.f32()
    sendsRaw = try r.bool()
    participants = try r.list("participants", bytesEach: 4) { try $0.count() }
    parameters = try r.layers()
  }
}

extension WorkerReply: WireFramed {
  static let magic = "HSQr"
  static let frameName = "worker reply"

  /// The reply as a standalone frame.
  public func encoded() -> [UInt8] { framed(reservingCapacity: 6 + writtenByteCountEstimate) }

  /// About the bytes ``write(to:)`` appends (at least as many): a buffer reserved at this size is not grown.
  var writtenByteCountEstimate: Int { 64 + payloadByteCount + diagnosticByteCount + 48 * payloads.count }

  /// Decodes ``encoded()``; throws ``HSQError/malformedPayload(_:)`` naming what is wrong.
  public init(decoding bytes: [UInt8]) throws { try self.init(framed: bytes) }

  func write(to w: inout WireWriter) {
    precondition(payloads.count == stats.count, "a reply has one payload and one stats entry per layer")
    w.count(worker)
    w.f64(loss)
    w.f64(computeSeconds)
    w.f64(compressSeconds)
    w.count(payloads.count)
    for (payload, s) in zip(payloads, stats) {
      w.u64(UInt64(payload.bitCount))
      w.raw(payload.bytes)
      w.f64(s.inputNormSquared)
      w.f64(s.errorSquared)
      w.optionalF64(s.exact)
      w.optionalF64(s.bound)
    }
    // The diagnostics: 0 none, 1 this worker's raw gradient, 2 the squared norms of the round's mean of them.
    precondition(raw == nil || rawMeanNormsSquared == nil, "a reply carries its raw gradient or the round's mean's norms, not both")
    w.u8(raw != nil ? 1 : rawMeanNormsSquared != nil ? 2 : 0)
    if let raw { w.layers(raw) }
    if let norms = rawMeanNormsSquared {
      w.count(norms.count)
      for n in norms { w.f64(n) }
    }
  }

  init(from r: inout WireReader) throws {
    worker = try r.count()
    loss = try r.f64()
    computeSeconds = try r.f64()
    compressSeconds = try r.f64()
    let layers = try r.list("layers", bytesEach: 26) { r -> (Payload, WorkerLayerStats) in
      let bits = try r.u64()
      guard bits <= UInt64(r.bytes.count - r.offset) * 8 else { throw r.problem("a payload of \(bits) bits is announced") }
      let payload = Payload(bytes: try r.raw((Int(bits) + 7) / 8), bitCount: Int(bits))
      return (payload, WorkerLayerStats(
        inputNormSquared: try r.f64(), errorSquared: try r.f64(), exact: try r.optionalF64(), bound: try r.optionalF64()))
    }
    payloads = layers.map(\.0)
    stats = layers.map(\.1)
    switch try r.u8() {
    case 0: break
    case 1: raw = try r.layers()
    case 2: rawMeanNormsSquared = try r.list("layer norms", bytesEach: 8) { try $0.f64() }
    case let other: throw r.problem("the diagnostics tag is \(other), not 0, 1 or 2")
    }
  }
}

extension WorkerMemory {
  /// u32 count, then each memory: u32 worker · u8 kind (0 none, 1 values: layers, 2 all +0.0: u32 L · L × u64 n).
  ///
  /// A memory of zeros (a client that never took part) travels as its shape only, as the checkpoint leaves
  /// it out: a save's gather and a load's scatter move the clients that took part. Only +0.0 counts as zero
  /// (a −0.0 keeps its bits), and an array found zero is not scanned again (clients share one array of zeros).
  static func write(_ memories: [WorkerMemory], to w: inout WireWriter) {
    var zeroArrays = Set<UnsafeRawPointer>()
    w.count(memories.count)
    for m in memories {
      w.count(m.worker)
      guard let layers = m.layers else {
        w.u8(0)
        continue
      }
      if layers.allSatisfy({ Checkpoint.isZero($0, known: &zeroArrays) }) {
        w.u8(2)
        w.count(layers.count)
        for layer in layers { w.u64(UInt64(layer.count)) }
      } else {
        w.u8(1)
        w.layers(layers)
      }
    }
  }

  /// Reads what ``write(_:to:)`` wrote; memories of zeros of one shape share one array, as on the sending side.
  static func list(from r: inout WireReader) throws -> [WorkerMemory] {
    var zeros: [[Float]] = []
    return try r.list("memories", bytesEach: 5) { r in
      let worker = try r.count()
      switch try r.u8() {
      case 0: return WorkerMemory(worker: worker, layers: nil)
      case 1: return WorkerMemory(worker: worker, layers: try r.layers())
      case 2:
        let shape = try r.list("layer sizes", bytesEach: 8) { try $0.u64() }
        // The sizes are not backed by bytes here: refuse what no layer is (MPI counts bytes in Int32).
        if zeros.map({ UInt64($0.count) }) != shape {
          guard shape.allSatisfy({ $0 <= UInt64(Int32.max) }) else { throw r.problem("a memory of zeros has a layer of \(shape.max()!) values") }
          zeros = shape.map { [Float](repeating: 0, count: Int($0)) }
        }
        return WorkerMemory(worker: worker, layers: zeros)
      case let other: throw r.problem("a memory's kind is \(other), not 0, 1 or 2")
      }
    }
  }
}

extension WorkerFailure {
  func write(to w: inout WireWriter) {
    w.bool(worker != nil)
    w.count(worker ?? 0)
    w.bool(diverged)
    w.string(message)
  }

  init(from r: inout WireReader) throws {
    let hasWorker = try r.bool()
    let id = try r.count()
    worker = hasWorker ? id : nil
    diverged = try r.bool()
    message = try r.string()
  }
}

extension WorkerCommand {
  /// The command's frame, after `prefix` (a transport's own header) in the same buffer, which is
  /// allocated once at its final size: a round's parameters are copied once.
  public func encoded(after prefix: [UInt8] = []) -> [UInt8] {
    var w = WireWriter(reservingCapacity: prefix.count + 7 + {
      if case let .round(request) = self { return request.writtenByteCount }
      return 0
    }())
    w.raw(prefix)
    w.header("HSQc", version: WorkerWire.version)
    switch self {
    case let .configure(config):
      w.u8(0)
      w.string(Self.json(config))
    case let .round(request):
      w.u8(1)
      request.write(to: &w)
    case let .commit(keep):
      w.u8(2)
      w.bool(keep)
    case .discard: w.u8(3)
    case .rollBack: w.u8(4)
    case .gatherMemories: w.u8(5)
    case let .scatterMemories(memories):
      w.u8(6)
      WorkerMemory.write(memories, to: &w)
    case .gatherLastInputs: w.u8(7)
    }
    return w.bytes
  }

  /// Decodes the command whose frame starts at byte `start` of `bytes` (after a transport's header), without copying them.
  public init(decoding bytes: [UInt8], from start: Int = 0) throws {
    var r = WireReader(bytes, frame: "worker command", from: start)
    try r.header("HSQc", version: WorkerWire.version)
    switch try r.u8() {
    case 0:
      let text = try r.string()
      do {
        self = .configure(try JSONDecoder().decode(ExperimentConfig.self, from: Data(text.utf8)))
      } catch {
        throw r.problem("the config does not decode (\(clipped("\(error)", limit: 80)))")
      }
    case 1: self = .round(try RoundRequest(from: &r))
    case 2: self = .commit(keepingUndoPoint: try r.bool())
    case 3: self = .discard
    case 4: self = .rollBack
    case 5: self = .gatherMemories
    case 6:
      self = .scatterMemories(try WorkerMemory.list(from: &r))
    case 7: self = .gatherLastInputs
    case let tag: throw r.problem("unknown command tag \(tag)")
    }
    try r.finish()
  }

  /// The config as JSON with sorted keys: the same config gives the same bytes.
  static func json(_ config: ExperimentConfig) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // A config holds strings and finite numbers only; encoding cannot fail.
    return String(decoding: try! encoder.encode(config), as: UTF8.self)
  }
}

extension WorkerResponse {
  /// The response's frame after `prefix` (a transport's header), in one buffer allocated at about its final size.
  public func encoded(after prefix: [UInt8] = []) -> [UInt8] {
    var w = WireWriter(reservingCapacity: prefix.count + 7 + {
      if case let .replies(replies) = self { return 4 + replies.reduce(0) { $0 + $1.writtenByteCountEstimate } }
      return 0
    }())
    w.raw(prefix)
    w.header("HSQa", version: WorkerWire.version)
    switch self {
    case .done: w.u8(0)
    case let .replies(replies):
      w.u8(1)
      w.count(replies.count)
      for reply in replies { reply.write(to: &w) }
    case let .memories(memories):
      w.u8(2)
      WorkerMemory.write(memories, to: &w)
    case let .failed(failure):
      w.u8(3)
      failure.write(to: &w)
    }
    return w.bytes
  }

  /// Decodes the response whose frame starts at byte `start` of `bytes` (after a transport's header), without copying them.
  public init(decoding bytes: [UInt8], from start: Int = 0) throws {
    var r = WireReader(bytes, frame: "worker response", from: start)
    try r.header("HSQa", version: WorkerWire.version)
    switch try r.u8() {
    case 0: self = .done
    case 1:
      self = .replies(try r.list("replies", bytesEach: 33) { try WorkerReply(from: &$0) })
    case 2:
      self = .memories(try WorkerMemory.list(from: &r))
    case 3: self = .failed(try WorkerFailure(from: &r))
    case let tag: throw r.problem("unknown response tag \(tag)")
    }
    try r.finish()
  }
}
