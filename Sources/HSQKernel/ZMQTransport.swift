import CZMQ
import Foundation
import Synchronization

/// The kernel's sockets over ZeroMQ (libzmq), bound as a connection file says: shell and control
/// ROUTER, stdin ROUTER (bound; the kernel never asks for input), iopub PUB, and a heartbeat REP
/// that echoes on its own thread so a busy kernel still looks alive.
///
/// `@unchecked Sendable` because the ZeroMQ context is a raw pointer. That is safe: libzmq's contexts
/// are thread-safe (zmq(7)), the sockets check their own use (``ZMQSocket``), and the one call that ends
/// the context, ``close()``, is enforced to run once: a second call stops with a precondition failure
/// rather than terminate a context twice.
public final class ZMQTransport: KernelTransport, @unchecked Sendable {
  private let context: UnsafeMutableRawPointer
  private let closed = Atomic<Bool>(false)
  public let shell: any KernelSocket
  public let control: any KernelSocket
  public let iopub: any KernelSocket
  private let stdin: ZMQSocket
  private let heartbeat: ZMQSocket
  private let heartbeatDone = DispatchSemaphore(value: 0)

  /// Binds every socket of `connection`.
  ///
  /// - Throws: ``KernelError/transport(_:)`` naming the socket and address that could not be bound.
  public init(_ connection: ConnectionInfo) throws {
    guard let context = zmq_ctx_new() else { throw KernelError.transport("cannot create a ZeroMQ context") }
    self.context = context
    func bind(_ type: Int32, _ name: String, _ port: Int) throws -> ZMQSocket {
      let socket = ZMQSocket(zmq_socket(context, type))
      let address = connection.address(port: port)
      guard zmq_bind(socket.handle, address) == 0 else {
        throw KernelError.transport("cannot bind the \(name) socket to \(address): \(String(cString: zmq_strerror(zmq_errno()))); is another kernel using the port?")
      }
      return socket
    }
    shell = try bind(ZMQ_ROUTER, "shell", connection.shellPort)
    control = try bind(ZMQ_ROUTER, "control", connection.controlPort)
    stdin = try bind(ZMQ_ROUTER, "stdin", connection.stdinPort)
    iopub = try bind(ZMQ_PUB, "iopub", connection.iopubPort)
    heartbeat = try bind(ZMQ_REP, "heartbeat", connection.heartbeatPort)
    let heartbeat = self.heartbeat, done = heartbeatDone
    let thread = Thread {
      heartbeat.echo()
      done.signal()
    }
    thread.name = "hsq-kernel-heartbeat"
    thread.start()
  }

  public func close() {
    let wasClosed = closed.exchange(true, ordering: .acquiringAndReleasing)
    precondition(!wasClosed, "a ZeroMQ transport was closed twice; close it once, after the kernel's threads stopped.")
    // Wakes the heartbeat's blocking receive with ETERM; it closes its socket and leaves.
    zmq_ctx_shutdown(context)
    heartbeatDone.wait()
    for socket in [shell, control, iopub] { (socket as? ZMQSocket)?.close() }
    stdin.close()
    zmq_ctx_term(context)
  }
}

/// One ZeroMQ socket.
///
/// `@unchecked Sendable` so that the thread that serves a channel may hold its socket. ZeroMQ sockets
/// are not thread-safe, so a socket is used by **one thread at a time** (``KernelSocket``'s contract; the
/// kernel serialises iopub, on which two threads publish). The invariant is enforced, as `Workspace`
/// enforces its own: every call claims the socket with an atomic flag, and a second thread arriving while
/// it is claimed stops the program with a precondition failure instead of racing inside libzmq.
final class ZMQSocket: KernelSocket, @unchecked Sendable {
  let handle: UnsafeMutableRawPointer
  /// Set while a thread is inside a call on ``handle``.
  private let claimed = Atomic<Bool>(false)

  init(_ handle: UnsafeMutableRawPointer?) {
    self.handle = handle!
    // Pending messages (a last status: idle) get a second to leave when the socket closes.
    var linger: Int32 = 1000
    zmq_setsockopt(self.handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
  }

  /// Runs `body` with the socket claimed by this thread; two threads at once is a programming error.
  private func exclusively<R>(_ body: () -> R) -> R {
    let taken = claimed.exchange(true, ordering: .acquiring)
    precondition(!taken, "a ZeroMQ socket is used by two threads at the same time; serialise its use (one thread a channel, a lock for iopub).")
    defer { claimed.store(false, ordering: .releasing) }
    return body()
  }

  func send(_ frames: [Data]) {
    exclusively { unclaimedSend(frames) }
  }

  private func unclaimedSend(_ frames: [Data]) {
    for (i, frame) in frames.enumerated() {
      let flags = i < frames.count - 1 ? ZMQ_SNDMORE : 0
      frame.withUnsafeBytes { bytes in _ = zmq_send(handle, bytes.baseAddress, bytes.count, flags) }
    }
  }

  func receive(timeout milliseconds: Int) -> [Data]? {
    exclusively { unclaimedReceive(timeout: milliseconds) }
  }

  private func unclaimedReceive(timeout milliseconds: Int) -> [Data]? {
    var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
    guard zmq_poll(&item, 1, milliseconds) > 0 else { return nil }
    var frames: [Data] = []
    while true {
      guard let frame = receiveFrame() else { return nil }
      frames.append(frame.data)
      if !frame.more { return frames }
    }
  }

  /// One frame, blocking; `nil` when the context was shut down.
  private func receiveFrame() -> (data: Data, more: Bool)? {
    var message = zmq_msg_t()
    zmq_msg_init(&message)
    defer { zmq_msg_close(&message) }
    guard zmq_msg_recv(&message, handle, 0) >= 0 else { return nil }
    let size = zmq_msg_size(&message)
    let data = size == 0 ? Data() : Data(bytes: zmq_msg_data(&message), count: size)
    return (data, zmq_msg_more(&message) != 0)
  }

  /// The heartbeat: sends back every message it receives, until the context shuts down.
  func echo() {
    exclusively {
      while let frame = receiveFrame() {
        frame.data.withUnsafeBytes { bytes in _ = zmq_send(handle, bytes.baseAddress, bytes.count, 0) }
      }
    }
    close()
  }

  func close() {
    exclusively { _ = zmq_close(handle) }
  }
}
