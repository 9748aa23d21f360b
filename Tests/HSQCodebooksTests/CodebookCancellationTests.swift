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

  @Test func kMeansWithAHugeKStopsOnRequest() {
    let spec = "kmeans:dim=2,k=65536,seed=4242"
    let (error, seconds) = Self.secondsToStop(after: 0.3) { _ = try Codebooks.make(spec) }
    #expect(error as? HSQError == .interrupted)
    #expect(seconds < 2, "k-means stopped \(seconds) s after the cancellation")
  }

  @Test func kMeansInOneDimensionStopsOnRequest() {
    let (error, seconds) = Self.secondsToStop(after: 0.3) { _ = try Codebooks.make("kmeans:dim=1,k=65536,seed=4243") }
    #expect(error as? HSQError == .interrupted)
    #expect(seconds < 2, "k-means stopped \(seconds) s after the cancellation")
  }

  @Test func qualityFiguresOfAHugeCodebookStopOnRequest() throws {
    let codebook = try Codebooks.make("gaussian:dim=2,k=65536,seed=4244")
    var options = CodebookQuality.Options()
    options.samples = 100
    let (error, seconds) = Self.secondsToStop(after: 0.3) { _ = try CodebookQuality(codebook: codebook, seed: 0, options: options) }
    #expect(error as? HSQError == .interrupted)
    #expect(seconds < 2, "the quality figures stopped \(seconds) s after the cancellation")
  }

  @Test func exactOmegaEnumerationStopsOnRequest() throws {
    let codebook = try Codebooks.make("gaussian:dim=16,k=30,seed=4245")
    var options = CodebookQuality.Options()
    options.samples = 100
    let (error, seconds) = Self.secondsToStop(after: 0.3) { _ = try CodebookQuality(codebook: codebook, seed: 0, options: options) }
    #expect(error as? HSQError == .interrupted)
    #expect(seconds < 2, "the enumeration stopped \(seconds) s after the cancellation")
  }
}
