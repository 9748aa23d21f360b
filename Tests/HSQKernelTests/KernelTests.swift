import Foundation
import HSQCommands
@testable import HSQKernel
@testable import HSQNotebook
import Synchronization
import Testing

/// The kernel in process, over channels of memory instead of ZeroMQ: signing, dispatch, outputs.
@Suite struct KernelTests {
  /// RFC 4231, test case 2.
  @Test func signsWithHMACSHA256() {
    let signer = MessageSigner(key: "Jefe")
    #expect(signer.signature(of: [Data("what do ya want ".utf8), Data("for nothing?".utf8)])
      == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    #expect(MessageSigner(key: "").signature(of: [Data("x".utf8)]) == "")
  }

  @Test func rejectsBadSignaturesAndMalformedFrames() throws {
    let signer = MessageSigner(key: "secret")
    let message = KernelMessage(type: "kernel_info_request", content: .object([]), parent: nil, session: "s", identities: [Data("id".utf8)])
    var frames = message.frames(signedWith: signer)
    #expect(try KernelMessage(frames: frames, verifiedWith: signer).type == "kernel_info_request")
    frames[2] = Data(String(repeating: "0", count: 64).utf8)
    #expect(throws: KernelMessage.Rejection.badSignature) { try KernelMessage(frames: frames, verifiedWith: signer) }
    #expect(throws: KernelMessage.Rejection.self) { try KernelMessage(frames: [Data("junk".utf8)], verifiedWith: signer) }
  }

  @Test func tablesBecomeHTMLTables() throws {
    let text = "uplink: identity\nlayer  d   \n─────  ──\nfc1    10\nfc2     5\n\nWrote x."
    let html = try #require(RichText.html(text))
    #expect(html.contains("<pre>uplink: identity</pre><table><thead><tr><th>layer</th><th>d</th></tr></thead>"))
    #expect(html.contains("<tr><td>fc1</td><td>10</td></tr><tr><td>fc2</td><td style=\"text-align:right\">5</td></tr>"))
    #expect(html.hasSuffix("<pre>\nWrote x.</pre></div>"))
    #expect(RichText.html("step 3  loss 0.5\n<b>") == nil)
  }

  @Test func cursorsCountCodePoints() {
    let cursor = CodeCursor("help e\u{301}\nexp", codePoint: 11)
    #expect(cursor.line == "exp" && cursor.character == 3 && cursor.codePoint(ofCharacter: 0) == 8)
    let combining = CodeCursor("describe e\u{301}x", codePoint: 11)
    #expect(combining.character == 10)
    #expect(CodeCursor("experiment e1 compressor=hsq:dim=16", codePoint: 27).topic == "hsq")
    #expect(CodeCursor("run --steps 5", codePoint: 6).topic == "run")
  }

  @Test func executesOverAFakeTransportAndDropsForgedMessages() throws {
    let transport = MemoryTransport()
    let logged = Mutex<[String]>([])
    let kernel = Kernel(session: Session(), transport: transport, key: "k", version: "test") { line in logged.withLock { $0.append(line) } }
    let done = DispatchSemaphore(value: 0)
    Thread { kernel.run(); done.signal() }.start()
    let signer = MessageSigner(key: "k")
    func send(_ type: String, _ content: JSONValue, on socket: MemorySocket, signer: MessageSigner = signer) -> KernelMessage {
      let message = KernelMessage(type: type, content: content, parent: nil, session: "client", identities: [Data("client".utf8)])
      socket.deliver(message.frames(signedWith: signer))
      return message
    }
    let forged = send("execute_request", .object([("code", .string("experiment intruder"))]), on: transport.shellSocket, signer: MessageSigner(key: "wrong"))
    _ = forged
    _ = send("execute_request", .object([("code", .string("describe identity\n\nfrobnicate"))]), on: transport.shellSocket)
    let reply = try #require(transport.shellSocket.next(timeout: 20))
    #expect(reply.type == "execute_reply" && reply.contentFields["status"] as? String == "error" && reply.contentFields["execution_count"] as? Int == 1)
    let published = transport.iopubSocket.sentMessages().map(\.type)
    // describe's table is a display (not the cell's result: a later command failed); then the error.
    #expect(published.filter { $0 != "status" } == ["execute_input", "display_data", "error"])
    #expect(logged.withLock { $0 }.contains { $0.contains("bad signature") })
    _ = send("shutdown_request", .object([("restart", .bool(false))]), on: transport.controlSocket)
    #expect(done.wait(timeout: .now() + 10) == .success)
    let closed = transport.closed.load(ordering: .relaxed)
    #expect(closed)
  }
}

/// Every request with malformed fields gets its reply and the kernel goes on: a `history_request` with
/// `n: -1` trapped ("Can't take a suffix of negative length") and the kernel died.
@Test func malformedRequestsAreAnsweredAndTheKernelGoesOn() throws {
  let transport = MemoryTransport()
  let kernel = Kernel(session: Session(), transport: transport, key: "k", version: "test") { _ in }
  let done = DispatchSemaphore(value: 0)
  Thread { kernel.run(); done.signal() }.start()
  let signer = MessageSigner(key: "k")
  let requests: [(String, JSONValue)] = [
    ("history_request", .object([("hist_access_type", .string("tail")), ("n", .int(-1))])),
    ("history_request", .object([("hist_access_type", .string("search")), ("pattern", .string("*")), ("n", .int(Int.min))])),
    ("history_request", .object([("hist_access_type", .string("range")), ("start", .int(Int.max)), ("stop", .int(Int.min))])),
    ("complete_request", .object([("code", .string("ste")), ("cursor_pos", .int(Int.min))])),
    ("complete_request", .object([("code", .string("éé")), ("cursor_pos", .int(Int.max))])),
    ("inspect_request", .object([("code", .int(5)), ("cursor_pos", .string("x")), ("detail_level", .int(-7))])),
    ("is_complete_request", .object([("code", .array([]))])),
    ("execute_request", .object([("code", .array([.string("step")])), ("silent", .string("yes"))])),
    // 'quit' in a cell did nothing and said nothing: it now says what ends a kernel, and the kernel goes on.
    ("execute_request", .object([("code", .string("quit"))])),
    ("execute_request", .object([("code", .string("list compressors"))])),
  ]
  for (i, (type, content)) in requests.enumerated() {
    let message = KernelMessage(type: type, content: content, parent: nil, session: "client", identities: [Data("client".utf8)])
    transport.shellSocket.deliver(message.frames(signedWith: signer))
    let reply = try #require(transport.shellSocket.message(at: i, timeout: 20), "\(type) \(content.rendered): no reply")
    #expect(reply.type == type.replacingOccurrences(of: "_request", with: "_reply"), "\(type)")
    if content.rendered.contains("quit") {
      #expect(reply.contentFields["status"] as? String == "error")
      #expect((reply.contentFields["evalue"] as? String)?.hasPrefix("In Jupyter the notebook ends the kernel (Kernel → Shut Down") == true)
    } else if content.rendered.contains("list compressors") {
      #expect(reply.contentFields["status"] as? String == "ok")
    }
  }
  let shutdown = KernelMessage(type: "shutdown_request", content: .object([("restart", .bool(false))]), parent: nil, session: "client",
                               identities: [Data("client".utf8)])
  transport.controlSocket.deliver(shutdown.frames(signedWith: signer))
  #expect(done.wait(timeout: .now() + 10) == .success)
}

/// Channels in memory: the test delivers requests and reads what the kernel sent.
final class MemoryTransport: KernelTransport, @unchecked Sendable {
  let shellSocket = MemorySocket(), controlSocket = MemorySocket(), iopubSocket = MemorySocket()
  let closed = Atomic<Bool>(false)
  var shell: any KernelSocket { shellSocket }
  var control: any KernelSocket { controlSocket }
  var iopub: any KernelSocket { iopubSocket }
  func close() { closed.store(true, ordering: .relaxed) }
}

final class MemorySocket: KernelSocket, @unchecked Sendable {
  private let state = Mutex<(inbox: [[Data]], sent: [[Data]])>(([], []))

  func deliver(_ frames: [Data]) { state.withLock { $0.inbox.append(frames) } }

  func send(_ frames: [Data]) { state.withLock { $0.sent.append(frames) } }

  func receive(timeout milliseconds: Int) -> [Data]? {
    if let frames = state.withLock({ $0.inbox.isEmpty ? nil : $0.inbox.removeFirst() }) { return frames }
    usleep(useconds_t(min(milliseconds, 5) * 1000))
    return nil
  }

  /// What the kernel sent, parsed (signatures not checked).
  func sentMessages() -> [KernelMessage] {
    state.withLock { $0.sent }.compactMap { try? KernelMessage(frames: $0, verifiedWith: MessageSigner(key: "")) }
  }

  /// The first message sent, waiting up to `timeout` seconds.
  func next(timeout: Double) -> KernelMessage? { message(at: 0, timeout: timeout) }

  /// The message sent `index`-th (from 0), waiting up to `timeout` seconds.
  func message(at index: Int, timeout: Double) -> KernelMessage? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let sent = sentMessages()
      if sent.count > index { return sent[index] }
      usleep(10_000)
    }
    return nil
  }
}
