import HSQCommands
@testable import HSQKernel
import Testing

/// The kernel's session belongs to its shell thread, and that is enforced, not only documented.
@Suite struct KernelInvariantTests {
  @Test func theSessionOffTheShellThreadStopsTheProgram() async {
    await #expect(processExitsWith: .failure) {
      let kernel = Kernel(session: Session(), transport: MemoryTransport(), key: "k", version: "test", log: { _ in })
      // No run() is serving the shell channel, so no thread may use the session.
      _ = kernel.session
    }
  }
}
