import HSQCompressors
import HSQContract
import HSQCore
import Testing

// The `Compressor` contract, checked for every registered compressor (built with its
// defaults) and a few parameterized variants: a new compressor needs no new test code.
//
// The checks themselves live in `HSQContract` (`CompressorContract`), so the REPL's
// `check <compressor>` holds a loaded compressor to exactly these. Statistical checks are
// seeded and take their tolerance from the compressor's own formulas: |mean − theory| ≤ 5·SE.

/// Every registered compressor by name, plus variants that exercise other parameters.
let contractSpecs: [String] = {
  let names = Compressors.registry.names
  let variants = [
    "fp16:scale=none",
    "qsgd:levels=1,bucket=0,norm=l2",
    "qsgd:bits=3,bucket=5,norm=l2",
    "qsgd:levels=3,bucket=16,norm=max",
    "topk:k=3",
    "randomk:k=2",
    "randomk:ratio=0.5",
    "hsq-unbiased:coefficients=l1,dim=4,k=16,codebook=gaussian",
  ]
  return names + variants.filter { spec in names.contains { spec.hasPrefix($0 + ":") } }
}()

/// The lengths every structural check runs on.
let contractLengths = CompressorContract.lengths

/// The test vectors, by kind (shared with `check <compressor>` in the REPL).
typealias VectorKind = ContractVector

/// ‖a − b‖² in Double.
func squaredError(_ a: [Float], _ b: [Float]) -> Double { Vec.squaredDistance(a, b) }

/// Mean and standard error of `samples`.
func meanAndStandardError(_ samples: [Double]) -> (mean: Double, se: Double) {
  ContractStatistics.meanAndStandardError(samples)
}

/// Records every failure of `result` as an issue, so a failing run names each input.
func expectPassed(_ result: ContractCheckResult) {
  #expect(result.cases > 0, "'\(result.name)' checked nothing")
  for failure in result.failures { Issue.record("\(result.name): \(failure)") }
}

@Suite("Compressor contract, over the whole registry")
struct ContractTests {
  @Test("the registry has the baselines")
  func registryHasBaselines() {
    let names = Set(Compressors.registry.names)
    for name in ["identity", "fp16", "qsgd", "terngrad", "signsgd", "scaled-sign", "topk", "randomk", "natural"] {
      #expect(names.contains(name), "'\(name)' is not registered")
    }
  }

  @Test("declaration: canonical spec, help text, consistent guarantee", arguments: contractSpecs)
  func declaration(spec: String) {
    expectPassed(CompressorContract.declaration(spec))
  }

  @Test("decode∘encode: length, bit count, bytes, determinism, exact and bounded error", arguments: contractSpecs)
  func roundTrip(spec: String) throws {
    expectPassed(CompressorContract.roundTrip(try Compressors.make(spec)))
  }

  @Test("NaN and ±∞ inputs throw nonFinite with the index", arguments: contractSpecs)
  func rejectsNonFinite(spec: String) throws {
    expectPassed(CompressorContract.nonFiniteInput(try Compressors.make(spec)))
  }

  @Test("truncated payloads throw malformedPayload", arguments: contractSpecs)
  func truncatedPayloadsThrow(spec: String) throws {
    expectPassed(CompressorContract.truncatedPayloads(try Compressors.make(spec)))
  }

  @Test("random bytes of the right length decode or throw malformedPayload, never crash", arguments: contractSpecs)
  func randomBytesNeverCrash(spec: String) throws {
    let c = try Compressors.make(spec)
    let result = CompressorContract.randomPayloads(c)
    for failure in result.failures { Issue.record("\(result.name): \(failure)") }
  }

  @Test("statistics: unbiased mean, expected error and bound within 5 SE", arguments: contractSpecs)
  func statistics(spec: String) throws {
    let c = try Compressors.make(spec)
    for result in CompressorContract.statistics(c) {
      for failure in result.failures { Issue.record("\(result.name): \(failure)") }
    }
  }

  @Test("check runs every contract check and names each", arguments: ["terngrad", "topk:k=3"])
  func checkRunsEverything(spec: String) throws {
    let results = try CompressorContract.check(spec)
    #expect(results.map(\.name) == ["declaration", "round trip", "non-finite input", "truncated payload", "random payload",
                                    "unbiasedness", "expected error", "error bound"])
    #expect(CompressorContract.allPassed(results), "\(results.filter { !$0.passed }.map(\.detail))")
  }
}
