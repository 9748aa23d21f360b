import Dispatch
@testable import HSQModels
import Testing

/// A workspace is used by one thread at a time, and that is enforced, not only documented.
@Suite struct WorkspaceTests {
  @Test func anOverlappingUseStopsTheProgram() async {
    await #expect(processExitsWith: .failure) {
      let workspace = Workspace()
      // A second claim while the first holds it: what two threads at once would do.
      workspace.exclusively { _ = workspace.buffer(0, count: 4) }
    }
  }

  @Test func threadsTakingTurnsShareOneWorkspace() {
    let workspace = Workspace()
    let first = workspace.buffer(0, count: 8)
    DispatchQueue.global().sync { _ = workspace.buffer(1, count: 16) }
    #expect(workspace.buffer(0, count: 8) == first)
    #expect(workspace.floatCount == 24)
  }
}
