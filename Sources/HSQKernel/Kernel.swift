import Foundation
import HSQCommands
import HSQCore
import Synchronization

/// A Jupyter kernel around one ``Session``: every cell of a notebook runs in it, so cells share
/// experiments and variables, exactly as lines typed into `hsq-repl` do.
///
/// Two threads serve requests: the shell channel's (the caller's, in ``run()``), which executes
/// cells one at a time, and the control channel's, which answers `interrupt_request` and
/// `shutdown_request` while a cell runs. Every request is wrapped in `status: busy` and
/// `status: idle` on iopub. Messages whose signature does not verify are dropped and logged.
///
/// `@unchecked Sendable` so that a kernel made on one thread may run on another, and because it holds
/// the ``Session``, which is not `Sendable`. The invariant: the session and the cell history are used only
/// by the shell thread, the one in ``run()``; the control thread uses only `Sendable` members (the
/// transport, the signer, atomics and the cancellation token). It is enforced: ``session`` and
/// ``history`` read on any other thread, or while the kernel is not running, stop with a precondition
/// failure, and so does a second ``run()`` while one is going.
public final class Kernel: @unchecked Sendable {
  private let ownSession: Session
  let transport: any KernelTransport
  let signer: MessageSigner
  /// This kernel's session id, in the header of every message it sends.
  let sessionID = UUID().uuidString.lowercased()
  /// `implementation_version` and `language_info.version` of `kernel_info_reply`.
  let version: String
  /// Where diagnostics go (dropped messages, unknown requests): standard error, which Jupyter shows in its log.
  let log: @Sendable (String) -> Void
  /// The session's token, cancelled by `interrupt_request` (read once, so the control thread never touches the session).
  let cancellation: Cancellation
  private let iopubLock = Mutex(())
  private let stopping = Atomic<Bool>(false)
  /// Set by `interrupt_request`; the running cell stops between commands too.
  let interrupted = Atomic<Bool>(false)
  private var ownHistory: [String] = []
  /// The thread serving the shell channel, while ``run()`` runs.
  private let shellThread = Mutex<pthread_t?>(nil)

  /// The session cells run in (shell thread only).
  var session: Session {
    requireShellThread()
    return ownSession
  }

  /// The cells executed with `store_history`, in order (for `history_request`; shell thread only).
  var history: [String] {
    get {
      requireShellThread()
      return ownHistory
    }
    set {
      requireShellThread()
      ownHistory = newValue
    }
  }
  /// The number of the next cell stored in history.
  var executionCount: Int { history.count }

  /// A kernel serving `session` over `transport`, signing with `key`.
  public init(session: Session, transport: any KernelTransport, key: String, version: String,
              log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data("[hsq kernel] \($0)\n".utf8)) }) {
    self.ownSession = session
    self.transport = transport
    self.signer = MessageSigner(key: key)
    self.version = version
    self.log = log
    self.cancellation = session.cancellation
    session.showsTimings = false
    session.quitRefusal = "In Jupyter the notebook ends the kernel (Kernel → Shut Down, or Restart); 'quit' changes nothing, and the session goes on."
  }

  /// Serves requests until a `shutdown_request`, then closes the transport.
  ///
  /// - Returns: whether the client asked for a restart (it starts the new process itself).
  @discardableResult
  public func run() -> Bool {
    shellThread.withLock { thread in
      precondition(thread == nil, "a Kernel is already running; run it once at a time.")
      thread = pthread_self()
    }
    defer { shellThread.withLock { $0 = nil } }
    let restart = Atomic<Bool>(false)
    let controlDone = DispatchSemaphore(value: 0)
    let thread = Thread { [self] in
      serve(transport.control, channel: "control") { request in
        if let again = handleControl(request) { restart.store(again, ordering: .relaxed) }
      }
      controlDone.signal()
    }
    thread.name = "hsq-kernel-control"
    thread.start()
    publishStatus("starting", parent: nil)
    serve(transport.shell, channel: "shell") { request in
      if let again = handleShell(request) { restart.store(again, ordering: .relaxed) }
    }
    controlDone.wait()
    transport.close()
    return restart.load(ordering: .relaxed)
  }

  /// Receives on `socket` until the kernel stops, handing every verified request to `handle`.
  private func serve(_ socket: any KernelSocket, channel: String, handle: (KernelMessage) -> Void) {
    while !stopping.load(ordering: .relaxed) {
      guard let frames = socket.receive(timeout: 50) else { continue }
      do {
        handle(try KernelMessage(frames: frames, verifiedWith: signer))
      } catch {
        log("\(channel): \(error)")
      }
    }
  }

  /// Stops unless called on the shell thread of a running kernel (see the type's invariant).
  private func requireShellThread() {
    let onShell = shellThread.withLock { thread in thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    precondition(onShell, "a Kernel's session was used off its shell thread; only the thread in run() may use it.")
  }

  /// Stops both serving loops (after the current request) and the running cell.
  func stop() {
    stopping.store(true, ordering: .relaxed)
    interrupted.store(true, ordering: .relaxed)
    cancellation.cancel()
  }

  // MARK: - Sending

  /// Sends `content` as a `type` message on `socket`, answering `parent`.
  func reply(_ type: String, _ content: JSONValue, to parent: KernelMessage, on socket: any KernelSocket) {
    socket.send(KernelMessage(type: type, content: content, parent: parent, session: sessionID).frames(signedWith: signer))
  }

  /// Publishes `content` as a `type` message on iopub (topic: the message type), caused by `parent`.
  func publish(_ type: String, _ content: JSONValue, parent: KernelMessage?) {
    let message = KernelMessage(type: type, content: content, parent: parent, session: sessionID, identities: [Data("kernel.\(sessionID).\(type)".utf8)])
    let frames = message.frames(signedWith: signer)
    iopubLock.withLock { _ in transport.iopub.send(frames) }
  }

  func publishStatus(_ state: String, parent: KernelMessage?) {
    publish("status", .object([("execution_state", .string(state))]), parent: parent)
  }

  /// Runs `body` between `status: busy` and `status: idle` for `request`.
  func busy<T>(_ request: KernelMessage, _ body: () -> T) -> T {
    publishStatus("busy", parent: request)
    defer { publishStatus("idle", parent: request) }
    return body()
  }

  // MARK: - Dispatch

  /// Answers a shell request; returns the `restart` flag of a shutdown request, else `nil`.
  func handleShell(_ request: KernelMessage) -> Bool? {
    busy(request) { () -> Bool? in
      let socket = transport.shell
      switch request.type {
      case "kernel_info_request": reply("kernel_info_reply", kernelInfo, to: request, on: socket)
      case "execute_request":
        let result = execute(request)
        reply("execute_reply", result, to: request, on: socket)
        // Before this request's idle: a client sends its next cell after the idle, so that one is not aborted.
        if case let .object(pairs) = result, pairs.contains(where: { $0.0 == "status" && $0.1 != .string("ok") }),
           request.contentFields["stop_on_error"] as? Bool ?? true {
          return abortQueuedCells()
        }
      case "complete_request": reply("complete_reply", complete(request.contentFields), to: request, on: socket)
      case "inspect_request": reply("inspect_reply", inspect(request.contentFields), to: request, on: socket)
      case "is_complete_request": reply("is_complete_reply", isComplete(request.contentFields), to: request, on: socket)
      case "comm_info_request": reply("comm_info_reply", .object([("status", .string("ok")), ("comms", .object([]))]), to: request, on: socket)
      case "history_request": reply("history_reply", historyReply(request.contentFields), to: request, on: socket)
      case "shutdown_request": return shutdown(request, on: socket)
      default: log("shell: '\(request.type)' is not supported; ignored")
      }
      return nil
    }
  }

  /// After a failed cell (`stop_on_error`), answers the cells already queued with `status: aborted`, as
  /// "Run All" expects: they depended on the one that failed. Other requests waiting are answered as usual.
  ///
  /// - Returns: the `restart` flag of a shutdown request met on the way, else `nil`.
  func abortQueuedCells() -> Bool? {
    while let frames = transport.shell.receive(timeout: 0) {
      let request: KernelMessage
      do { request = try KernelMessage(frames: frames, verifiedWith: signer) } catch { log("shell: \(error)"); continue }
      guard request.type == "execute_request" else {
        if let restart = handleShell(request) { return restart }
        continue
      }
      busy(request) {
        reply("execute_reply", .object([("status", .string("aborted")), ("execution_count", .int(executionCount))]), to: request, on: transport.shell)
      }
    }
    return nil
  }

  /// Answers a control request; returns the `restart` flag of a shutdown request, else `nil`.
  func handleControl(_ request: KernelMessage) -> Bool? {
    busy(request) { () -> Bool? in
      let socket = transport.control
      switch request.type {
      case "interrupt_request":
        interrupted.store(true, ordering: .relaxed)
        cancellation.cancel()
        reply("interrupt_reply", .object([("status", .string("ok"))]), to: request, on: socket)
      case "shutdown_request": return shutdown(request, on: socket)
      case "kernel_info_request": reply("kernel_info_reply", kernelInfo, to: request, on: socket)
      default: log("control: '\(request.type)' is not supported; ignored")
      }
      return nil
    }
  }

  func shutdown(_ request: KernelMessage, on socket: any KernelSocket) -> Bool {
    let restart = request.contentFields["restart"] as? Bool ?? false
    stop()
    reply("shutdown_reply", .object([("status", .string("ok")), ("restart", .bool(restart))]), to: request, on: socket)
    return restart
  }

  /// `kernel_info_reply`'s content.
  var kernelInfo: JSONValue {
    .object([
      ("status", .string("ok")),
      ("protocol_version", .string(KernelMessage.protocolVersion)),
      ("implementation", .string("hsq")),
      ("implementation_version", .string(version)),
      ("language_info", KernelSpec.languageInfo(version: version)),
      ("banner", .string("hsq \(version) — Hyper-Sphere Quantization workbench. Type 'tour' for a guided first experiment, 'help' for commands.")),
      ("help_links", .array([])),
      ("debugger", .bool(false)),
    ])
  }
}
