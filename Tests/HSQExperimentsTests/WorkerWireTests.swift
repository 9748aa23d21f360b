import HSQ
import HSQCore
import Testing

@testable import HSQExperiments

/// The worker wire format: every frame decodes to what was encoded, bit for bit; the bytes are fixed
/// (little-endian, versioned); damaged bytes give one clear error naming the frame.
@Suite struct WorkerWireTests {
  static let request = RoundRequest(
    step: 41, participants: [3, 0, 7], parameters: [[1.5, -0.0, .leastNonzeroMagnitude], [], [.greatestFiniteMagnitude]],
    lr: 0.1, efScale: 0.25, sendsRaw: true)

  static let reply = WorkerReply(
    worker: 7, loss: 2.302585092994046,
    payloads: [Payload(bytes: [0xAB, 0x01], bitCount: 9), Payload(float32: [1, -2]), .empty],
    stats: [
      WorkerLayerStats(inputNormSquared: 3.5, errorSquared: 0.125, exact: nil, bound: 0.5),
      WorkerLayerStats(inputNormSquared: 5),
      WorkerLayerStats(exact: nil, bound: nil),
    ],
    computeSeconds: 0.001, compressSeconds: 0.0005, raw: [[0.5], [1, -2], []])

  static func bits(_ request: RoundRequest) -> [[UInt32]] { request.parameters.map { $0.map(\.bitPattern) } }

  @Test func aRequestRoundTripsBitForBit() throws {
    let decoded = try RoundRequest(decoding: Self.request.encoded())
    #expect(decoded == Self.request)
    #expect(Self.bits(decoded) == Self.bits(Self.request), "-0 and subnormals keep their bits")
  }

  @Test func aReplyRoundTrips() throws {
    #expect(try WorkerReply(decoding: Self.reply.encoded()) == Self.reply)
    var bare = Self.reply
    bare.raw = nil
    #expect(try WorkerReply(decoding: bare.encoded()) == bare)
    #expect(Self.reply.payloadByteCount == 2 + 8 && Self.reply.diagnosticByteCount == 12)
    var normed = bare
    normed.rawMeanNormsSquared = [4.5, -0.0, .nan]
    let decoded = try WorkerReply(decoding: normed.encoded())
    #expect(decoded == normed && decoded.rawMeanNormsSquared?.map(\.bitPattern) == normed.rawMeanNormsSquared?.map(\.bitPattern))
    #expect(normed.diagnosticByteCount == 3 * 8)
  }

  /// A memory of +0.0 everywhere (a client that never took part) travels as its shape, as the checkpoint
  /// leaves it out: a save's gather of 40 such memories of 100,010 floats is a few hundred bytes, not 16 MB,
  /// and decodes to the same values, the clients sharing one array; a memory holding a −0.0 keeps its bits.
  @Test func memoriesOfZerosTravelAsTheirShape() throws {
    let zeros: [[Float]] = [[Float](repeating: 0, count: 100_000), [Float](repeating: 0, count: 10)]
    var signed = zeros
    signed[1][3] = -0.0
    let memories = (0..<40).map { WorkerMemory(worker: $0, layers: zeros) }
      + [WorkerMemory(worker: 40, layers: signed), WorkerMemory(worker: 41, layers: nil), WorkerMemory(worker: 42, layers: [])]
    let gathered = WorkerResponse.memories(memories).encoded()
    #expect(gathered.count < 4 * 100_010 + 40 * 30, "\(gathered.count) bytes")
    guard case let .memories(decoded) = try WorkerResponse(decoding: gathered) else {
      Issue.record("the memories did not decode as memories")
      return
    }
    #expect(decoded == memories)
    #expect(decoded[40].layers?.map { $0.map(\.bitPattern) } == signed.map { $0.map(\.bitPattern) })
    #expect(decoded[0].layers![0].withUnsafeBufferPointer { $0.baseAddress } == decoded[39].layers![0].withUnsafeBufferPointer { $0.baseAddress })
    let scattered = WorkerCommand.scatterMemories(memories)
    #expect(scattered.encoded().count < 4 * 100_010 + 40 * 30)
    #expect(try WorkerCommand(decoding: scattered.encoded()) == scattered)
  }

  @Test func everyCommandAndResponseRoundTrips() throws {
    var config = ExperimentConfig()
    config.compressor = "hsq:dim=8,k=32"
    config.seed = .max
    let memories = [WorkerMemory(worker: 0, layers: nil), WorkerMemory(worker: 5, layers: [[1, 2], [-3]])]
    let commands: [WorkerCommand] = [
      .configure(config), .round(Self.request), .commit(keepingUndoPoint: true), .commit(keepingUndoPoint: false),
      .discard, .rollBack, .gatherMemories, .scatterMemories(memories), .scatterMemories([]), .gatherLastInputs,
    ]
    for command in commands { #expect(try WorkerCommand(decoding: command.encoded()) == command, "\(command.name)") }
    let responses: [WorkerResponse] = [
      .done, .replies([Self.reply, Self.reply]), .replies([]), .memories(memories),
      .failed(WorkerFailure(worker: 3, diverged: true, message: "worker 3's loss is nan")),
      .failed(WorkerFailure(worker: nil, diverged: false, message: "héllo")),
    ]
    for response in responses { #expect(try WorkerResponse(decoding: response.encoded()) == response) }
  }

  /// A transport's header goes in front of a command in the same buffer, and the command is read in
  /// place after it: the same bytes as the command alone, a round's parameters copied once (the buffer is
  /// allocated at its final size), and errors counted from the frame's start.
  @Test func aCommandTravelsAfterATransportHeaderAndIsReadInPlace() throws {
    let header: [UInt8] = [4, 1, 0, 0, 0, 1]
    for command in [WorkerCommand.round(Self.request), .gatherMemories, .commit(keepingUndoPoint: true)] {
      let framed = command.encoded(after: header)
      #expect(framed == header + command.encoded(), "\(command.name)")
      #expect(try WorkerCommand(decoding: framed, from: header.count) == command, "\(command.name)")
    }
    #expect(Self.request.encoded().count == 6 + Self.request.writtenByteCount, "the reserved size is the frame's")
    #expect(WorkerCommand.round(Self.request).encoded().count == 7 + Self.request.writtenByteCount)
    let cut = Array(WorkerCommand.gatherMemories.encoded(after: header).dropLast())
    let error = #expect(throws: HSQError.self) { try WorkerCommand(decoding: cut, from: header.count) }
    #expect("\(error!)".contains("malformed at byte 6 of 6"), "\(error!)")
  }

  /// The layout is pinned: a change to it must bump ``WorkerWire/version``.
  @Test func theRequestBytesAreLittleEndianAndVersioned() {
    let small = RoundRequest(step: 2, participants: [1], parameters: [[1]], lr: 0.5, efScale: 1, sendsRaw: false)
    let expected: [UInt8] = Array("HSQq".utf8) + [2, 0]
      + [2, 0, 0, 0, 0, 0, 0, 0]  // step
      + [0, 0, 0, 0, 0, 0, 0xE0, 0x3F]  // lr 0.5
      + [0, 0, 0x80, 0x3F]  // efScale 1
      + [0]  // flags
      + [1, 0, 0, 0, 1, 0, 0, 0]  // 1 participant: worker 1
      + [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3F]  // 1 layer of 1 float: 1.0
    #expect(small.encoded() == expected)
    #expect(small.encoded() == small.encoded())
  }

  @Test func damagedBytesGiveOneErrorNamingTheFrame() {
    let bytes = Self.reply.encoded()
    for cut in [0, 3, 6, 20, bytes.count - 1] {
      let error = #expect(throws: HSQError.self) { try WorkerReply(decoding: Array(bytes.prefix(cut))) }
      #expect("\(error!)".contains("worker reply is malformed"), "cut at \(cut): \(error!)")
    }
    var wrongVersion = Self.request.encoded()
    wrongVersion[4] = 9
    let version = #expect(throws: HSQError.self) { try RoundRequest(decoding: wrongVersion) }
    #expect("\(version!)".contains("version 9, expected 2"), "\(version!)")
    let error = #expect(throws: HSQError.self) { try RoundRequest(decoding: Self.request.encoded() + [0]) }
    #expect("\(error!)".contains("1 bytes are left over"), "\(error!)")
    #expect(throws: HSQError.self) { try WorkerCommand(decoding: Self.reply.encoded()) }
  }

  /// A host answers a command it cannot carry out with a failure, not a crash.
  @Test func aHostAnswersBadCommandsWithAFailure() throws {
    let host = WorkerHost()
    guard case let .failed(early) = try WorkerResponse(decoding: host.handle(WorkerCommand.round(Self.request).encoded())) else {
      Issue.record("a round before configure must fail")
      return
    }
    #expect(early.message.contains("configure"), "\(early)")
    guard case let .failed(garbage) = try WorkerResponse(decoding: host.handle([1, 2, 3])) else {
      Issue.record("garbage must fail")
      return
    }
    #expect(garbage.message.contains("worker command is malformed"), "\(garbage)")
  }
}
