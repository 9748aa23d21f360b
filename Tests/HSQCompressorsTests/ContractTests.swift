import Foundation
import HSQCodebooks
import HSQCompressors
import HSQContract
import HSQCore
import Testing

// The `Compressor` contract, checked for every registered compressor (built with its
// defaults) and a few parameterized variants: a new compressor needs no new test code.
//
// The checks themselves live in `HSQContract` (`CompressorContract`), so the REPL's
// `check <compressor>` holds a loaded compressor to exactly these. Statistical checks are
// seeded and take their tolerance from the compressor's own formulas or each coordinate's own
// variance: |mean − theory| ≤ 5·SE.

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
    // The other mode, the exact (float32) scalar paths, and n-bit scalars in the unbiased stages.
    "hsq-log:mode=unbiased",
    "hsq:norm-bits=32",
    "hsq-residual:norm-bits=32",
    "hsq-unbiased:norm-bits=4",
    "hsq-residual:residual-bits=4",
    // Every codebook construction, with the nearest-codeword and the sampling variant.
    "hsq:dim=8,k=16,codebook=cross-polytope",
    "hsq-unbiased:dim=8,k=16,codebook=cross-polytope",
    "hsq:dim=8,k=8,codebook=hadamard",
    "hsq-unbiased:dim=8,k=8,codebook=hadamard",
    "hsq:dim=8,k=8,codebook=orthogonal",
    "hsq-unbiased:dim=8,k=8,codebook=orthogonal",
    "hsq:dim=4,k=16,codebook=gaussian",
    "hsq-unbiased:dim=4,k=16,codebook=kmeans",
    "hsq:dim=4,k=16,codebook-path=\(contractCodebookFile)",
    "hsq-unbiased:dim=4,k=16,codebook-path=\(contractCodebookFile)",
  ]
  let specs = names + variants.filter { spec in names.contains { spec.hasPrefix($0 + ":") } }
  let kinds = Set(Codebooks.registry.names)
  let covered = Set(specs.compactMap { spec in kinds.first { spec.contains("codebook=\($0)") } }).union(["file"])
  precondition(covered == kinds, "contractSpecs: no variant with the codebook kinds \(kinds.subtracting(covered).sorted())")
  return specs
}()

/// A small codebook file (gaussian, D = 4, K = 16) for the `file` codebook kind.
let contractCodebookFile: String = {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-contract-\(getpid()).fvecs").path
  do {
    try Codebooks.make("gaussian:dim=4,k=16,seed=5").write(toFile: path)
  } catch {
    preconditionFailure("cannot write the contract's codebook file \(path): \(error)")
  }
  return path
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

/// Records every failure of `result` as an issue, so a failing run names each input; a check
/// that `applies` must have checked something (else it passes vacuously), one that does not, nothing.
func expectPassed(_ result: ContractCheckResult, applies: Bool = true) {
  #expect((result.cases > 0) == applies, "'\(result.name)' checked \(result.cases) cases")
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
    expectPassed(CompressorContract.randomPayloads(c), applies: c.properties.isFixedSize)
  }

  @Test("statistics: unbiased mean, expected error and bound within 5 SE", arguments: contractSpecs)
  func statistics(spec: String) throws {
    let c = try Compressors.make(spec)
    let v = ContractVector.gaussian.vector(7)
    let (unbiased, exact, bound) = (c.properties.isUnbiased, c.expectedError(v) != nil, c.errorBound(v) != nil)
    for (result, applies) in zip(CompressorContract.statistics(c), [unbiased, exact, bound]) {
      expectPassed(result, applies: applies)
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
