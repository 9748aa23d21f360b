import Foundation
import HSQCodebooks
import HSQCore
import HSQTestSupport
import Testing

/// Long codebook work stops within about a second of a cancellation, leaving nothing behind (issue 11, item 5).
@Suite struct CodebookCancellationTests {
  /// Runs `body` under a token cancelled `after` seconds later; returns the seconds from the cancellation to the end.
  static func secondsToStop(after delay: Double, _ body: () throws -> Void) -> (error: (any Error)?, seconds: Double) {
    let token = Cancellation()
    let clock = ContinuousClock()
    let start = clock.now
    later(delay) { token.cancel() }
    var failure: (any Error)?
    do { try token.whileCurrent(body) } catch { failure = error }
    let elapsed = clock.now - start
    return (failure, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18 - delay)
  }

  /// K = 65536 codewords in D = 2: minutes of training (4 M samples), stopped within a second.
  @Test func kMeansWithAHugeKStopsOnRequest() {
    let (error, seconds) = Self.secondsToStop(after: 0.3) { _ = try Codebooks.make("kmeans:dim=2,k=65536,seed=4242") }
    #expect(error as? HSQError == .interrupted)
    #expect(seconds < 2, "k-means stopped \(seconds) s after the cancellation")
  }

  /// In D = 1 every codeword is ±1: K > 1 is refused at once instead of trained for minutes.
  @Test func kMeansInOneDimensionTakesOneCodeword() throws {
    #expect(throws: HSQError.self) { try Codebooks.make("kmeans:dim=1,k=65536") }
    #expect(throws: HSQError.self) { try Codebooks.make("kmeans:dim=1,k=2") }
    #expect(try Codebooks.make("kmeans:dim=1,k=1").count == 1)
  }

  /// The Gram bound and Monte Carlo of K = 65536 codewords, and the exact enumeration of 2^29 sign vectors (K = 30).
  @Test(arguments: ["gaussian:dim=2,k=65536,seed=4244", "gaussian:dim=16,k=30,seed=4245"])
  func qualityFiguresStopOnRequest(_ spec: String) throws {
    let codebook = try Codebooks.make(spec)
    var options = CodebookQuality.Options()
    options.samples = 100
    let (error, seconds) = Self.secondsToStop(after: 0.3) { _ = try CodebookQuality(codebook: codebook, seed: 0, options: options) }
    #expect(error as? HSQError == .interrupted)
    #expect(seconds < 2, "the quality figures of \(spec) stopped \(seconds) s after the cancellation")
  }
}
