import HSQCompressors
import HSQCore
import Testing

// The `Compressor` contract, checked for every registered compressor (built with its
// defaults) and a few parameterized variants: a new compressor needs no new test code.
//
// Statistical checks are seeded and take their tolerance from the compressor's own
// formulas: |mean − theory| ≤ 5·SE. Float32 outputs add rounding of relative size
// 2⁻²⁴ per entry; `floatSlack` allows 1e-6 of the quantity's scale for that, which is
// far below every statistical tolerance here.

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
let contractLengths = [1, 7, 100, 1000, 1024 + 3]

/// The test vectors, by kind.
enum VectorKind: String, CaseIterable, CustomStringConvertible {
  /// Seeded standard normal entries.
  case gaussian
  /// One non-zero entry (−3.5 in the middle): the worst case of sign and sparsifying compressors.
  case spike
  /// Every entry 0.75: the worst case of top-k, and a tie everywhere.
  case constant
  /// (1, t, …, t) with t = 1/(√d + 1): TernGrad's worst case.
  case adversarial
  /// All zeros.
  case zero

  var description: String { rawValue }

  func vector(_ d: Int) -> [Float] {
    switch self {
    case .gaussian:
      var rng = RandomStream.derived(from: 2024, purpose: "contract-vector", d)
      return (0..<d).map { _ in Float(rng.gaussian()) }
    case .spike:
      var v = [Float](repeating: 0, count: d)
      v[d / 2] = -3.5
      return v
    case .constant:
      return [Float](repeating: 0.75, count: d)
    case .adversarial:
      let t = Float(1 / (Double(d).squareRoot() + 1))
      return [1] + [Float](repeating: t, count: d - 1)
    case .zero:
      return [Float](repeating: 0, count: d)
    }
  }
}

/// ‖a − b‖² in Double.
func squaredError(_ a: [Float], _ b: [Float]) -> Double { Vec.squaredDistance(a, b) }

/// Tolerance for float32 rounding of outputs, relative to the size of the compared quantity.
func floatSlack(_ scale: Double) -> Double { 1e-6 * scale }

/// Mean and standard error of `samples`.
func meanAndStandardError(_ samples: [Double]) -> (mean: Double, se: Double) {
  let n = Double(samples.count)
  let mean = samples.reduce(0, +) / n
  guard samples.count > 1 else { return (mean, 0) }
  let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
  return (mean, (variance / n).squareRoot())
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
  func declaration(spec: String) throws {
    let c = try Compressors.make(spec)
    #expect(try Compressors.make(c.spec).spec == c.spec, "\(spec): spec '\(c.spec)' is not canonical")
    let name = String(spec.prefix { $0 != ":" })
    let info = try Compressors.registry.info(name)
    #expect(!info.summary.isEmpty && !info.summary.contains("\n") && info.summary.hasSuffix("."),
            "\(spec): the summary must be one sentence on one line")
    #expect(!info.doc.isEmpty, "\(spec): no doc")
    for p in info.parameters { #expect(!p.doc.isEmpty, "\(spec): parameter '\(p.name)' has no doc") }
    #expect(!c.bitsFormula.isEmpty, "\(spec): no bits formula")
    for d in contractLengths {
      switch c.guarantee(length: d) {
      case let .unbiased(omega):
        #expect(omega.isFinite && omega >= 0, "\(spec) d=\(d): ω = \(omega)")
        #expect(c.properties.isUnbiased, "\(spec): declares ω but not isUnbiased")
      case let .contraction(delta):
        #expect(delta > 0 && delta <= 1, "\(spec) d=\(d): δ = \(delta) outside (0, 1]")
      case .none:
        break
      }
      #expect((c.bits(length: d) != nil) == c.properties.isFixedSize, "\(spec) d=\(d): bits(length:) vs isFixedSize")
    }
  }

  @Test("decode∘encode: length, bit count, bytes, determinism, exact and bounded error", arguments: contractSpecs)
  func roundTrip(spec: String) throws {
    let c = try Compressors.make(spec)
    for d in contractLengths {
      for kind in VectorKind.allCases {
        let label = "\(spec) d=\(d) \(kind)"
        let v = kind.vector(d)
        var rng = RandomStream(seed: 7)
        let payload = try c.encode(v, rng: &rng)
        let out = try c.decode(payload, length: d)
        #expect(out.count == d, "\(label): decoded \(out.count) values")
        #expect(out.allSatisfy { $0.isFinite }, "\(label): non-finite output")
        #expect(payload.bytes.count == (payload.bitCount + 7) / 8, "\(label): bytes vs bitCount")
        if let bits = c.bits(length: d) {
          #expect(payload.bitCount == bits, "\(label): \(payload.bitCount) bits, bits(length:) says \(bits)")
        }
        var again = RandomStream(seed: 7)
        #expect(try c.encode(v, rng: &again) == payload, "\(label): the same seed gave a different payload")
        if c.properties.isDeterministic {
          var other = RandomStream(seed: 8)
          #expect(try c.encode(v, rng: &other) == payload, "\(label): deterministic, but another seed changed the payload")
        }
        guard out.count == d else { continue }
        let error = squaredError(out, v)
        let norm = Vec.squaredNorm(v)
        if c.properties.isDeterministic, let exact = c.expectedError(v) {
          #expect(abs(error - exact) <= floatSlack(norm + exact) + 1e-30,
                  "\(label): error \(error), expectedError \(exact)")
        }
        if c.properties.isDeterministic, let bound = c.errorBound(v) {
          // 1e-12: Double summation only (the outputs are exact floats).
          #expect(error <= bound * (1 + 1e-12), "\(label): error \(error) above errorBound \(bound)")
        }
        if let exact = c.expectedError(v), let bound = c.errorBound(v) {
          #expect(exact <= bound * (1 + 1e-12), "\(label): expectedError \(exact) above errorBound \(bound)")
        }
        if kind == .zero, c.errorBound(v) == 0 || c.expectedError(v) == 0 {
          #expect(out.allSatisfy { $0 == 0 }, "\(label): the zero vector did not decode to zeros")
        }
      }
    }
  }

  @Test("NaN and ±∞ inputs throw nonFinite with the index", arguments: contractSpecs)
  func rejectsNonFinite(spec: String) throws {
    let c = try Compressors.make(spec)
    for d in [1, 7, 100] {
      for bad in [Float.nan, .infinity, -.infinity] {
        for position in Set([0, d / 2, d - 1]) {
          let label = "\(spec) d=\(d) \(bad) at \(position)"
          var v = VectorKind.gaussian.vector(d)
          v[position] = bad
          var rng = RandomStream(seed: 1)
          do {
            _ = try c.encode(v, rng: &rng)
            Issue.record("\(label): encode did not throw")
          } catch let error as HSQError {
            guard case let .nonFinite(_, index, _) = error else {
              Issue.record("\(label): threw \(error), not nonFinite")
              continue
            }
            #expect(index == position, "\(label): nonFinite names index \(index)")
          }
        }
      }
    }
  }

  @Test("truncated payloads throw malformedPayload", arguments: contractSpecs)
  func truncatedPayloadsThrow(spec: String) throws {
    let c = try Compressors.make(spec)
    for d in [1, 7, 100, 1024 + 3] {
      let v = VectorKind.gaussian.vector(d)
      var rng = RandomStream(seed: 3)
      let payload = try c.encode(v, rng: &rng)
      let full = payload.bitCount
      for kept in Set([full - 1, full - 8, full / 2, 0]) where kept >= 0 && kept < full {
        let label = "\(spec) d=\(d) truncated to \(kept) of \(full) bits"
        let truncated = Payload(bytes: Array(payload.bytes.prefix((kept + 7) / 8)), bitCount: kept)
        do {
          _ = try c.decode(truncated, length: d)
          Issue.record("\(label): decode did not throw")
        } catch let error as HSQError {
          guard case .malformedPayload = error else {
            Issue.record("\(label): threw \(error), not malformedPayload")
            continue
          }
        }
      }
    }
  }

  @Test("random bytes of the right length decode or throw malformedPayload, never crash", arguments: contractSpecs)
  func randomBytesNeverCrash(spec: String) throws {
    let c = try Compressors.make(spec)
    var bytes = RandomStream(seed: 99)
    for d in [1, 7, 100] {
      guard let bits = c.bits(length: d) else { continue }
      for trial in 0..<20 {
        let raw = (0..<((bits + 7) / 8)).map { _ in UInt8(truncatingIfNeeded: bytes.next()) }
        do {
          let out = try c.decode(Payload(bytes: raw, bitCount: bits), length: d)
          #expect(out.count == d, "\(spec) d=\(d) random payload \(trial): decoded \(out.count) values")
        } catch let error as HSQError {
          guard case .malformedPayload = error else {
            Issue.record("\(spec) d=\(d) random payload \(trial): threw \(error), not malformedPayload")
            continue
          }
        }
      }
    }
  }

  /// Draws `n` outputs for `v`; checks the mean against v (unbiased), the mean error
  /// against expectedError and errorBound, each within 5 standard errors.
  func checkStatistics(_ c: any Compressor, _ v: [Float], _ label: String, draws n: Int) throws {
    let d = v.count
    var sums = [Double](repeating: 0, count: d)
    var errors: [Double] = []
    errors.reserveCapacity(n)
    for draw in 0..<n {
      var rng = RandomStream.derived(from: 11, purpose: "contract-draw", draw)
      let out = try c.decode(c.encode(v, rng: &rng), length: d)
      for i in 0..<d { sums[i] += Double(out[i]) }
      errors.append(squaredError(out, v))
    }
    let norm = Vec.squaredNorm(v)
    let (meanError, se) = meanAndStandardError(errors)
    let exact = c.expectedError(v)
    let bound = c.errorBound(v)
    if let exact {
      #expect(abs(meanError - exact) <= 5 * se + floatSlack(norm + exact),
              "\(label): mean ‖Q(v) − v‖² = \(meanError) ± \(se) (n = \(n)), expectedError \(exact)")
    }
    if let bound {
      #expect(meanError <= bound + 5 * se + floatSlack(norm + bound),
              "\(label): mean ‖Q(v) − v‖² = \(meanError) ± \(se) (n = \(n)) above errorBound \(bound)")
    }
    guard c.properties.isUnbiased, let variance = exact ?? bound else { return }
    // σ² = E‖Q(v) − v‖² bounds every coordinate's variance.
    let sigma = variance.squareRoot()
    for i in 0..<d {
      let mean = sums[i] / Double(n)
      let tolerance = 5 * sigma / Double(n).squareRoot() + floatSlack(Double(abs(v[i])) + sigma)
      #expect(abs(mean - Double(v[i])) <= tolerance,
              "\(label): mean Q(v)[\(i)] = \(mean), v[\(i)] = \(v[i]), tolerance 5σ/√n = \(tolerance)")
    }
  }

  @Test("statistics: unbiased mean, expected error and bound within 5 SE", arguments: contractSpecs)
  func statistics(spec: String) throws {
    let c = try Compressors.make(spec)
    let draws = c.properties.isDeterministic ? 1 : 2000
    for d in [1, 7, 37] {
      for kind in [VectorKind.gaussian, .spike, .constant, .adversarial] {
        try checkStatistics(c, kind.vector(d), "\(spec) d=\(d) \(kind)", draws: draws)
      }
    }
    // One long vector, fewer draws: the formulas at a size with many buckets and blocks.
    try checkStatistics(c, VectorKind.gaussian.vector(1024 + 3), "\(spec) d=1027 gaussian",
                        draws: c.properties.isDeterministic ? 1 : 100)
  }
}
