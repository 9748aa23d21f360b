import HSQ
import Testing

/// The Student-t quantile against tabulated values, and the interval arithmetic against a hand computation.
@Suite struct StatisticsTests {
  /// t₀.₉₇₅,ν from standard tables (R: qt(0.975, df), 9 significant digits).
  static let table975: [(Double, Double)] = [
    (1, 12.7062047), (2, 4.30265273), (3, 3.18244631), (4, 2.77644511), (5, 2.57058184), (6, 2.44691185),
    (9, 2.26215716), (10, 2.22813885), (19, 2.09302405), (29, 2.04522964), (30, 2.04227246), (60, 2.00029782), (120, 1.97993041),
  ]

  @Test(arguments: table975)
  func quantileMatchesTheTable(_ nu: Double, _ expected: Double) {
    let t = StudentT(degreesOfFreedom: nu).quantile(0.975)
    #expect(abs(t - expected) <= 1e-7 * expected, "ν = \(nu): \(t) vs \(expected)")
  }

  /// One-sided and other levels (qt(0.95, 4), qt(0.995, 10), qt(0.9, 2)).
  @Test func otherLevels() {
    #expect(abs(StudentT(degreesOfFreedom: 4).quantile(0.95) - 2.13184679) < 1e-7)
    #expect(abs(StudentT(degreesOfFreedom: 10).quantile(0.995) - 3.16927267) < 1e-7)
    #expect(abs(StudentT(degreesOfFreedom: 2).quantile(0.9) - 1.88561808) < 1e-7)
    #expect(abs(StudentT(degreesOfFreedom: 4).quantile(0.025) + 2.77644511) < 1e-7)
    #expect(abs(StudentT(degreesOfFreedom: 1e7).quantile(0.975) - 1.95996398) < 1e-6)
  }

  /// cdf(quantile(p)) = p.
  @Test func cdfInvertsTheQuantile() {
    for nu in [1.0, 2.5, 4, 17] {
      for p in [0.01, 0.2, 0.5, 0.9, 0.999] {
        let t = StudentT(degreesOfFreedom: nu)
        #expect(abs(t.cdf(t.quantile(p)) - p) < 1e-12, "ν = \(nu), p = \(p)")
      }
    }
  }

  /// Five values 0.80, 0.82, 0.81, 0.85, 0.83: mean 0.822, s² = (0.0004 + 0.0000 + 0.0001 + 0.0009 + 0.0001·… )
  /// by hand: deviations −0.022, −0.002, −0.012, 0.028, 0.008; squares sum 0.00148; s² = 0.00037; s = 0.0192354;
  /// half-width = 2.77644511 · 0.0192354 / √5 = 0.0238837.
  @Test func intervalByHand() {
    let s = SampleSummary([0.80, 0.82, 0.81, 0.85, 0.83])
    #expect(s.count == 5)
    #expect(abs(s.mean - 0.822) < 1e-12)
    #expect(abs(s.standardDeviation - 0.00037.squareRoot()) < 1e-12)
    #expect(abs(s.halfWidth! - 2.77644511 * 0.00037.squareRoot() / 5.0.squareRoot()) < 1e-8)
    #expect(abs(s.halfWidth! - 0.0238837) < 1e-6)
    #expect(SampleSummary([0.5]).halfWidth == nil)
  }

  /// Paired: differences 0.01, 0.02, 0.00, 0.01 → mean 0.01, s = 0.0081650, ± 3.18244631 · s / 2 = 0.0129923; excludes 0? no.
  @Test func pairedByHand() {
    let d = SampleSummary.paired([0.80, 0.81, 0.82, 0.83], [0.81, 0.83, 0.82, 0.84])
    #expect(abs(d.mean - 0.01) < 1e-12)
    #expect(abs(d.halfWidth! - 3.18244631 * (0.0002 / 3).squareRoot() / 2) < 1e-8)
    #expect(!d.excludesZero)
    #expect(SampleSummary.paired([0.80, 0.81, 0.82], [0.85, 0.86, 0.88]).excludesZero)
  }
}
