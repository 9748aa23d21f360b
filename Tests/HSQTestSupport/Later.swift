import Foundation

/// Runs `body` on a thread of its own `seconds` from now, e.g. to cancel work the test is running.
///
/// Not a dispatch queue: the tests' own threads are dispatch's, and while they all run
/// long synchronous work a queued block would wait for one of them to finish.
public func later(_ seconds: Double, _ body: @escaping @Sendable () -> Void) {
  Thread {
    Thread.sleep(forTimeInterval: seconds)
    body()
  }.start()
}
