import Foundation
import HSQCore
import HSQTestSupport
import Testing

/// The one cancellation mechanism every long loop polls: a token, current per thread (or task), never process-wide.
@Suite struct CancellationTests {

  @Test func aTokenIsCancelledUntilReset() throws {
    let token = Cancellation()
    #expect(!token.isCancelled)
    try token.check()
    token.cancel()
    #expect(token.isCancelled)
    #expect(throws: HSQError.interrupted) { try token.check() }
    token.reset()
    #expect(!token.isCancelled)
  }

  @Test func theCurrentTokenIsSeenOnlyWhereItIsInstalled() throws {
    let token = Cancellation()
    token.cancel()
    try Cancellation.checkCurrent()  // nothing installed here
    #expect(throws: HSQError.interrupted) { try token.whileCurrent { try Cancellation.checkCurrent() } }
    // Another command's token, side by side, is not affected.
    try Cancellation().whileCurrent { try Cancellation.checkCurrent() }
    #expect(Cancellation.current == nil)
  }

  @Test func anotherThreadCancelsALoopThatPolls() throws {
    let token = Cancellation()
    later(0.2) { token.cancel() }
    let clock = ContinuousClock()
    let start = clock.now
    #expect(throws: HSQError.interrupted) {
      try token.whileCurrent {
        while clock.now - start < .seconds(30) { try Cancellation.checkCurrent() }
      }
    }
    #expect(clock.now - start < .seconds(5))
  }

  @Test func anOutsideSignalCancelsAndResetLowersIt() {
    final class Flag: @unchecked Sendable { var raised = false }  // only this test's thread touches it
    let flag = Flag()
    let token = Cancellation(signal: .init(isRaised: { flag.raised }, lower: { flag.raised = false }))
    #expect(!token.isCancelled)
    flag.raised = true
    #expect(token.isCancelled)
    token.reset()
    #expect(!flag.raised && !token.isCancelled)
  }

  @Test func linesSplitAtLFAndCRLF() {
    #expect("a\r\nb\r\n".textLines == ["a", "b", ""])
    #expect("a\nb".textLines == ["a", "b"])
    #expect("a\r\nb\nc".textLines == ["a", "b", "c"])
    #expect("".textLines == [""])
    #expect("x\ry\r\n".textLines == ["x\ry", ""], "a lone CR stays inside its line")
  }
}
