/// The test file `hsq-new-compressor` writes next to a compressor: hsq's contract, run by `swift test`.
/// `__Type__`, `__name__` and `__imports__` are replaced.
let contractTestTemplate = #"""
import HSQ
import HSQContract
import Testing
__imports__
// hsq's compressor contract for __Type__: the checks every built-in passes in hsq's own
// tests and `check __name__` runs in hsq-repl. Put this file in a test target that depends
// on hsq's `HSQContract` product and on the target that holds __Type__.swift.

/// Registers __Type__ once for all tests (the registry is process-wide).
private let registration = Result { try Compressors.register(__Type__.self) }

@Suite("__Type__ holds hsq's compressor contract")
struct __Type__ContractTests {
  @Test("every contract check passes", arguments: ["__name__", "__name__:levels=1", "__name__:levels=255"])
  func contract(spec: String) throws {
    try registration.get()
    for result in try CompressorContract.check(spec) {
      #expect(result.passed, "\(spec): \(result.name): \(result.detail)")
    }
  }
}

"""#
