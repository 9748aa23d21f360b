import Foundation
import HSQCompressors
import HSQCore
import Testing

// THEORY.md §8, cases 9–12, and the baselines' edge cases. Closed forms are checked to
// 1e-9; the outcome distributions are enumerated from the algorithm's probabilities and
// compared with Monte Carlo draws within 5 standard errors.

/// `n` seeded draws of Q(v).
func draws(_ c: any Compressor, _ v: [Float], _ n: Int, seed: UInt64 = 5) throws -> [[Float]] {
  try (0..<n).map { draw in
    var rng = RandomStream.derived(from: seed, purpose: "theory-draw", draw)
    return try c.decode(c.encode(v, rng: &rng), length: v.count)
  }
}

/// Whether `k` successes in `n` Binomial(n, p) trials are plausible: neither exact tail,
/// P(X ≤ k) nor P(X ≥ k), is below half of P(|Z| > 5) = 5.733·10⁻⁷.
///
/// The exact tails give a correct compressor the 5σ false-failure rate whatever np is; the normal
/// approximation k/n ≈ p ± 5·SE does not where np or n(1 − p) is small (its tails are far heavier).
func frequencyMatches(_ k: Int, _ n: Int, _ p: Double) -> Bool {
  let (lower, upper) = binomialTails(k, n, p)
  return min(lower, upper) >= 5.733e-7 / 2
}

/// P(X ≤ k) and P(X ≥ k) for X ~ Binomial(n, p), summed term by term from log-gamma.
func binomialTails(_ k: Int, _ n: Int, _ p: Double) -> (lower: Double, upper: Double) {
  guard p > 0, p < 1 else {
    let certain = p <= 0 ? 0 : n
    return (k >= certain ? 1 : 0, k <= certain ? 1 : 0)
  }
  func pmf(_ j: Int) -> Double {
    exp(lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1)) + Double(j) * log(p) + Double(n - j) * log1p(-p))
  }
  let terms = (0...n).map(pmf)
  return (terms[0...max(0, min(k, n))].reduce(0, +), k > n ? 0 : terms[max(0, k)...].reduce(0, +))
}

/// Checks the Monte Carlo mean of ‖Q(v) − v‖² against `expected` within 5 SE.
func expectMeanError(_ outs: [[Float]], _ v: [Float], _ expected: Double, _ label: String) {
  let (mean, se) = meanAndStandardError(outs.map { squaredError($0, v) })
  #expect(abs(mean - expected) <= 5 * se + 1e-9, "\(label): MC mean error \(mean) ± \(se), theory \(expected)")
}

@Suite("THEORY.md §8 cases 9–12")
struct BaselineTheoryTests {
  // MARK: 9. QSGD-ℓ2, s = 1, v = (3, 4)

  @Test("9. QSGD-ℓ2, s = 1, v = (3, 4): variance 10, below Lemma 3.1's 25√2")
  func qsgdL2() throws {
    let c = try Compressors.make("qsgd:levels=1,bucket=0,norm=l2")
    let v: [Float] = [3, 4]
    // The algorithm: ‖v‖ = 5, r = (0.6, 0.8), ξ_i ∈ {0, 1}, Q_i = 5·ξ_i.
    let p = [0.6, 0.8]
    var variance = 0.0
    var mean = [0.0, 0.0]
    for a in 0...1 {
      for b in 0...1 {
        let probability = (a == 1 ? p[0] : 1 - p[0]) * (b == 1 ? p[1] : 1 - p[1])
        let q = [5.0 * Double(a), 5.0 * Double(b)]
        variance += probability * ((q[0] - 3) * (q[0] - 3) + (q[1] - 4) * (q[1] - 4))
        mean[0] += probability * q[0]
        mean[1] += probability * q[1]
      }
    }
    #expect(abs(variance - 10) <= 1e-9)
    #expect(abs(mean[0] - 3) <= 1e-9 && abs(mean[1] - 4) <= 1e-9)
    #expect(abs(try #require(c.expectedError(v)) - 10) <= 1e-9)

    // Lemma 3.1: min(d/s², √d/s)·‖v‖² = 25√2; the declared bound is the sharper
    // min(d/(4s²), (√d − 1)/s)·‖v‖² = 25(√2 − 1), times (1 + 2⁻²²)-factors for the rounded-up scale.
    let lemma = min(2.0, 2.0.squareRoot()) * 25
    #expect(abs(lemma - 35.355339059327378) <= 1e-9)
    let bound = try #require(c.errorBound(v))
    #expect(abs(bound - 25 * (2.0.squareRoot() - 1)) <= 25 * 2.0.squareRoot() * 0x1p-21)
    #expect(10 <= bound && bound <= lemma)

    let n = 20000
    let outs = try draws(c, v, n)
    #expect(outs.allSatisfy { ($0[0] == 0 || $0[0] == 5) && ($0[1] == 0 || $0[1] == 5) }, "outputs outside {0, 5}²")
    #expect(frequencyMatches(outs.filter { $0[0] == 5 }.count, n, 0.6))
    #expect(frequencyMatches(outs.filter { $0[1] == 5 }.count, n, 0.8))
    expectMeanError(outs, v, 10, "qsgd-ℓ2 s=1 (3,4)")
  }

  @Test("QSGD with bits=2, bucket=128, norm=max is the NumPy peer's algorithm")
  func qsgdMatchesPeer() throws {
    let c = try Compressors.make("qsgd:bits=2,bucket=128,norm=max")
    let d = 256
    let v = VectorKind.gaussian.vector(d)
    #expect(c.bits(length: d) == 2 * 32 + d * 4)
    // numpy_hsq.QSGD: s = 2^bits; per bucket norm = max|v|; scaled = |v|/norm·s;
    // l = clip(scaled, 0, s − 1) as int; l += (scaled − l > U); Q = l·sign·norm/s.
    let s = 4.0
    var low = [Double](repeating: 0, count: d)
    var up = [Double](repeating: 0, count: d)
    var step = [Double](repeating: 0, count: d)
    var expected = 0.0
    for bucket in 0..<2 {
      let slice = v[(bucket * 128)..<(bucket * 128 + 128)]
      let norm = Double(slice.map { abs($0) }.max()!)
      for i in slice.indices {
        let scaled = Double(abs(v[i])) / norm * s
        let l = min(scaled.rounded(.down), s - 1)
        low[i] = l
        up[i] = scaled - l
        step[i] = norm / s
        expected += (norm / s) * (norm / s) * up[i] * (1 - up[i])
      }
    }
    #expect(abs(try #require(c.expectedError(v)) - expected) <= 1e-9 * expected)

    let n = 4000
    let outs = try draws(c, v, n)
    for i in 0..<d {
      let sign = v[i] < 0 ? -1.0 : 1.0
      let lower = sign * low[i] * step[i]
      let upper = sign * (low[i] + 1) * step[i]
      let tolerance = 1e-6 * step[i] * s
      var ups = 0
      for out in outs {
        let q = Double(out[i])
        if abs(q - upper) <= tolerance {
          ups += 1
        } else if abs(q - lower) > tolerance {
          Issue.record("coordinate \(i): output \(q) is neither \(lower) nor \(upper)")
          break
        }
      }
      #expect(frequencyMatches(ups, n, up[i]), "coordinate \(i): rounded up \(ups) of \(n) times, p = \(up[i])")
    }
    expectMeanError(outs, v, expected, "qsgd peer d=256")
  }

  // MARK: 10. TernGrad, d = 16, v = (1, 0.2 × 15)

  @Test("10. TernGrad, d = 16, v = (1, 0.2×15): variance 2.4, ω(v) = 1.5 = (√d − 1)/2")
  func ternGrad() throws {
    let c = try Compressors.make("terngrad")
    let omega = (16.0.squareRoot() - 1) / 2
    guard case let .unbiased(declared) = c.guarantee(length: 16) else {
      Issue.record("terngrad does not declare ω")
      return
    }
    #expect(abs(declared - omega) <= 1e-9 && abs(omega - 1.5) <= 1e-9)

    // 0.2 is not a float32: the case scaled by 5 is exact, (5, 1 × 15), variance 25·2.4 = 60.
    let v: [Float] = [5] + [Float](repeating: 1, count: 15)
    // Enumerated per coordinate: Q_i ∈ {0, 5} with P(5) = 1/5, so Var = 25·(1/5)(4/5) = 4 each.
    let enumerated: Double = 15 * (0.2 * 16 + 0.8 * 1)
    #expect(abs(enumerated - 60) <= 1e-9)
    #expect(abs(try #require(c.expectedError(v)) - 60) <= 1e-9)
    #expect(abs(60 / Vec.squaredNorm(v) - 1.5) <= 1e-9, "ω(v) = var/‖v‖²")

    // The literal case: the formula at t = float32(0.2), within 1e-9, is 2.4 up to t's rounding.
    let literal: [Float] = [1] + [Float](repeating: 0.2, count: 15)
    let t = Double(Float(0.2))
    let atT = 15 * t * (1 - t)
    #expect(abs(try #require(c.expectedError(literal)) - atT) <= 1e-9)
    #expect(abs(atT - 2.4) <= 15 * abs(t - 0.2))

    let n = 20000
    let outs = try draws(c, v, n)
    #expect(outs.allSatisfy { $0[0] == 5 }, "the largest entry is always sent")
    #expect(outs.allSatisfy { $0.dropFirst().allSatisfy { $0 == 0 || $0 == 5 } }, "outputs outside {0, 5}")
    for i in 1..<16 {
      #expect(frequencyMatches(outs.filter { $0[i] == 5 }.count, n, 0.2), "coordinate \(i)")
    }
    expectMeanError(outs, v, 60, "terngrad (5, 1×15)")
  }

  // MARK: 11. Natural compression, x = 4/3

  @Test("11. Natural compression, x = 4/3: P(1) = 2/3, variance 2/9, relative variance 1/8")
  func natural() throws {
    let c = try Compressors.make("natural")
    #expect(c.guarantee(length: 1) == .unbiased(omega: 1.0 / 8))
    // Closed form at x = 4/3: p = x − 1 = 1/3, var = p(1 − p) = 2/9, var/x² = 1/8.
    let p = 4.0 / 3 - 1
    #expect(abs(p * (1 - p) - 2.0 / 9) <= 1e-9 && abs(p * (1 - p) / (16.0 / 9) - 1.0 / 8) <= 1e-9)

    // 4/3 is not a float32; at x = float32(4/3) the variance is (x − 1)(2 − x) exactly, and
    // var/x² is 1/8 to second order (4/3 maximizes it).
    let x = Float(4.0 / 3)
    let xd = Double(x)
    let variance = try #require(c.expectedError([x]))
    #expect(abs(variance - (xd - 1) * (2 - xd)) <= 1e-12)
    // Mean value theorem: |f(x) − f(4/3)| ≤ max|f'|·|Δ| with f' = 3 − 2ξ, |f'| ≤ 1/3 + 2|Δ|.
    let shift = abs(xd - 4.0 / 3)
    #expect(abs(variance - 2.0 / 9) <= (1.0 / 3 + 2 * shift) * shift + 1e-15)
    #expect(abs(variance / (xd * xd) - 1.0 / 8) <= 1e-9)

    let n = 20000
    let outs = try draws(c, [x], n)
    #expect(outs.allSatisfy { $0[0] == 1 || $0[0] == 2 }, "outputs outside {1, 2}")
    #expect(frequencyMatches(outs.filter { $0[0] == 1 }.count, n, 2 - xd), "P(1) = 2 − x ≈ 2/3")
    expectMeanError(outs, [x], variance, "natural 4/3")

    // Negative entries keep their sign; powers of two and zero are exact.
    let negative = try draws(c, [-x, 2, 0, 0x1p-149], 200)
    #expect(negative.allSatisfy { $0[0] == -1 || $0[0] == -2 })
    #expect(negative.allSatisfy { $0[1] == 2 && $0[2] == 0 && $0[3] == 0x1p-149 })
  }

  @Test("natural compression rounds subnormals to powers of two too, unbiased")
  func naturalSubnormal() throws {
    let c = try Compressors.make("natural")
    let x: Float = 3 * 0x1p-149  // in [2⁻¹⁴⁸, 2⁻¹⁴⁷), p = 1/2
    let low = 0x1p-148
    let variance = try #require(c.expectedError([x]))
    #expect(abs(variance / (low * low) - 0.25) <= 1e-12)
    let n = 4000
    let outs = try draws(c, [x], n)
    #expect(outs.allSatisfy { $0[0] == 0x1p-148 || $0[0] == 0x1p-147 })
    #expect(frequencyMatches(outs.filter { $0[0] == 0x1p-147 }.count, n, 0.5))
  }

  // MARK: 12. v = (4, −2, 1, −1)

  @Test("12. v = (4, −2, 1, −1): scaled sign, top-2, top-1 and rand-2 errors")
  func sparsifiersAndSign() throws {
    let v: [Float] = [4, -2, 1, -1]
    let norm = Vec.squaredNorm(v)
    #expect(norm == 22)
    var rng = RandomStream(seed: 0)

    let sign = try Compressors.make("scaled-sign")
    let signed = try sign.decode(sign.encode(v, rng: &rng), length: 4)
    #expect(signed == [2, -2, 2, -2])
    let signExact = try #require(sign.expectedError(v))
    #expect(abs(squaredError(signed, v) - 6) <= 1e-9 && abs(signExact - 6) <= 1e-9)
    #expect(abs((1 - squaredError(signed, v) / norm) - 8.0 / 11) <= 1e-9, "δ(v) = ‖v‖₁²/(d‖v‖²)")

    let top2 = try Compressors.make("topk:k=2")
    let kept2 = try top2.decode(top2.encode(v, rng: &rng), length: 4)
    #expect(kept2 == [4, -2, 0, 0])
    let top2Exact = try #require(top2.expectedError(v))
    #expect(abs(squaredError(kept2, v) - 2) <= 1e-9 && abs(top2Exact - 2) <= 1e-9)
    #expect(abs((1 - squaredError(kept2, v) / norm) - 10.0 / 11) <= 1e-9)
    #expect(top2.guarantee(length: 4) == .contraction(delta: 0.5))

    let top1 = try Compressors.make("topk:k=1")
    let kept1 = try top1.decode(top1.encode(v, rng: &rng), length: 4)
    #expect(kept1 == [4, 0, 0, 0])
    #expect(abs(squaredError(kept1, v) - 6) <= 1e-9)

    // rand-2 scaled by d/k = 2: (d/k − 1)² = 1, so every draw errs by exactly ‖v‖² = 22.
    let rand2 = try Compressors.make("randomk:k=2")
    #expect(rand2.guarantee(length: 4) == .unbiased(omega: 1))
    #expect(abs(try #require(rand2.expectedError(v)) - 22) <= 1e-9)
    let n = 6000
    let outs = try draws(rand2, v, n)
    #expect(outs.allSatisfy { abs(squaredError($0, v) - 22) <= 1e-9 }, "a draw did not err by 22")
    // Enumeration: the 6 subsets are equally likely; averaging 2·v over them gives v.
    let subsets = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    for i in 0..<4 {
      let mean = subsets.reduce(0.0) { $0 + ($1.contains(i) ? 2 * Double(v[i]) : 0) } / 6
      #expect(abs(mean - Double(v[i])) <= 1e-12)
    }
    for subset in subsets {
      let count = outs.filter { out in (0..<4).allSatisfy { (out[$0] != 0) == subset.contains($0) } }.count
      #expect(frequencyMatches(count, n, 1.0 / 6), "subset \(subset) drawn \(count) of \(n) times")
    }
  }
}

@Suite("Baseline edge cases")
struct BaselineEdgeCaseTests {
  @Test("fp16:scale=none rejects values that round to ∞; fp16 (pow2) keeps its δ across the float32 range")
  func fp16Range() throws {
    var rng = RandomStream(seed: 0)
    let plain = try Compressors.make("fp16:scale=none")
    #expect(throws: HSQError.self) { try plain.encode([1, 70000], rng: &rng) }
    #expect(try plain.decode(plain.encode([65504, -65519], rng: &rng), length: 2) == [65504, -65504])

    let scaled = try Compressors.make("fp16")
    #expect(scaled.guarantee(length: 3) == .contraction(delta: 1 - 0x1p-22))
    let vectors: [[Float]] = [[3e38, -1, 1e-30], [.greatestFiniteMagnitude, 1], [0x1.5p-133, Float(bitPattern: 3), -0x1.64p-139], [0x1p-149], [1e5, 7e4]]
    for v in vectors {
      let out = try scaled.decode(scaled.encode(v, rng: &rng), length: v.count)
      let finite = out.allSatisfy(\.isFinite)
      #expect(finite, "\(v)")
      #expect(squaredError(out, v) <= 0x1p-22 * Vec.squaredNorm(v), "\(v): error above (1 − δ)‖v‖²")
    }
    // The worst relative rounding, a tie at 1 + 2⁻¹¹, errs by 2⁻¹¹/(1 + 2⁻¹¹) per entry:
    // just under the declared 1 − δ = 2⁻²².
    let tie = [Float](repeating: 1 + 0x1p-11, count: 5)
    let tieOut = try scaled.decode(scaled.encode(tie, rng: &rng), length: 5)
    let worst = 0x1p-11 / (1 + 0x1p-11)
    #expect(abs(squaredError(tieOut, tie) / Vec.squaredNorm(tie) - worst * worst) <= 1e-12 * worst * worst)
    #expect(worst * worst < 0x1p-22)
    // Without the scale, tiny entries are lost entirely: no worst-case δ.
    let tiny: [Float] = [1e-9, -1e-9]
    #expect(try plain.decode(plain.encode(tiny, rng: &rng), length: 2) == [0, 0])
    #expect(plain.guarantee(length: 2) == .none)
  }

  @Test("natural rejects magnitudes from 2^105; qsgd-ℓ2 rejects a norm beyond float32")
  func rangeErrors() throws {
    var rng = RandomStream(seed: 0)
    #expect(throws: HSQError.self) { try Compressors.make("natural").encode([1, 1e32], rng: &rng) }
    _ = try Compressors.make("natural").encode([1, 4e31], rng: &rng)
    #expect(throws: HSQError.self) { try Compressors.make("qsgd:norm=l2").encode([3e38, 3e38], rng: &rng) }
    _ = try Compressors.make("qsgd:norm=max").encode([3e38, 3e38], rng: &rng)
    #expect(throws: HSQError.self) { try Compressors.make("randomk:k=1").encode([3e38, 3e38], rng: &rng) }
  }

  @Test("malformed content is rejected: non-increasing top-k indices, bad scales and trits")
  func malformedContent() throws {
    func expectMalformed(_ spec: String, _ d: Int, _ payload: Payload) throws {
      do {
        _ = try Compressors.make(spec).decode(payload, length: d)
        Issue.record("\(spec): decoded a malformed payload")
      } catch let error as HSQError {
        guard case .malformedPayload = error else { Issue.record("\(spec): threw \(error)"); return }
      }
    }
    // topk:k=2, d = 4: indices 2 bits each, then two floats; indices (3, 1) decrease.
    var w = BitWriter()
    w.write(3, bits: 2); w.write(1, bits: 2); w.write(Float(1)); w.write(Float(2))
    try expectMalformed("topk:k=2", 4, w.payload())
    // scaled-sign with a negative scale.
    w = BitWriter(); w.write(Float(-1)); w.write(0, bits: 3)
    try expectMalformed("scaled-sign", 3, w.payload())
    // qsgd with a NaN scale, and with a level above s.
    w = BitWriter(); w.write(Float.nan); w.write(0, bits: 4)
    try expectMalformed("qsgd", 1, w.payload())
    w = BitWriter(); w.write(Float(1)); w.write(7 << 1, bits: 4)
    try expectMalformed("qsgd", 1, w.payload())
    // terngrad: a byte of five trits holds at most 242.
    w = BitWriter(); w.write(Float(1)); w.write(243, bits: 8)
    try expectMalformed("terngrad", 5, w.payload())
  }

  @Test("top-k breaks ties towards the smaller index; k and ratio set k")
  func topKTies() throws {
    var rng = RandomStream(seed: 0)
    let c = try Compressors.make("topk:k=2")
    #expect(try c.decode(c.encode([1, -1, 1, 1], rng: &rng), length: 4) == [1, -1, 0, 0])
    #expect(try Compressors.make("topk:ratio=0.01").bits(length: 1000) == 10 * (32 + 10))
    #expect(try Compressors.make("topk:k=5").bits(length: 3) == 3 * (32 + 2))
    #expect(try Compressors.make("topk:k=1").bits(length: 1) == 32)
  }
}
