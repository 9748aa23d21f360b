import Foundation

/// One channel of the kernel: multipart messages in and out, frames as bytes.
///
/// A socket is used by one thread at a time; the kernel serialises iopub, which two threads publish on.
public protocol KernelSocket: AnyObject, Sendable {
  /// Sends one multipart message.
  func send(_ frames: [Data])
  /// The next multipart message, waiting at most `milliseconds`; `nil` when none came.
  func receive(timeout milliseconds: Int) -> [Data]?
}

/// The kernel's channels. ``ZMQTransport`` binds them to the connection file's ports; tests can
/// pass channels of their own. The heartbeat is the transport's business: it echoes by itself.
public protocol KernelTransport: AnyObject, Sendable {
  /// Requests and replies: execute, complete, inspect, … (ROUTER).
  var shell: any KernelSocket { get }
  /// Interrupt and shutdown, answered even while a cell runs (ROUTER).
  var control: any KernelSocket { get }
  /// Status, streams and displays for every client (PUB).
  var iopub: any KernelSocket { get }
  /// Closes every channel; called once, after the kernel's threads stopped using them.
  func close()
}
