import Foundation
import HSQPlots
import Testing

/// Nice ticks: 1-2-5 steps covering the data, powers of ten on log axes, compact exact labels.
@Suite struct PlotNiceTicksTests {
  /// A SplitMix64 generator, so the random ranges are the same on every run.
  struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// Whether `step` is 1, 2 or 5 times a power of ten (to a relative 1e-6: a difference of two ticks carries rounding).
  static func isOneTwoFive(_ step: Double) -> Bool {
    let exponent = log10(step).rounded(.down)
    let mantissa = step / pow(10, exponent)
    return [1.0, 2, 5, 10].contains { abs(mantissa - $0) <= 1e-6 * $0 }
  }

  @Test func linearTicksCoverTheRangeWithOneTwoFiveSteps() {
    var rng = Seeded(state: 42)
    for sample in 0..<2000 {
      let scale = pow(10, Double.random(in: -12...12, using: &rng))
      let a = Double.random(in: -1...1, using: &rng) * scale
      let b = a + Double.random(in: 1e-4...1, using: &rng) * scale * (sample % 3 == 0 ? 0.001 : 1)
      let ticks = NiceTicks.linear(lower: a, upper: b, maxCount: 5)
      let step = ticks[1] - ticks[0]
      let slack = 2e-9 * step + 1e-12 * max(abs(a), abs(b))
      #expect((3...5).contains(ticks.count), "sample \(sample): \(ticks.count) ticks for [\(a), \(b)]")
      #expect(ticks.first! <= a + slack && ticks.last! >= b - slack, "sample \(sample): \(ticks) misses [\(a), \(b)]")
      #expect(Self.isOneTwoFive(step), "sample \(sample): step \(step)")
      for (t0, t1) in zip(ticks, ticks.dropFirst()) {
        #expect(abs((t1 - t0) - step) <= 1e-6 * step, "sample \(sample): uneven steps in \(ticks)")
      }
      let exponent = log10(step).rounded(.down)
      let nice = (step / pow(10, exponent)).rounded() * pow(10, exponent)
      let multiple = ticks[0] / nice
      #expect(
        abs(multiple - multiple.rounded()) <= 1e-6 + 1e-12 * abs(multiple),
        "sample \(sample): \(ticks[0]) is not a multiple of \(nice)")
    }
  }

  @Test func linearTicksExamples() {
    #expect(NiceTicks.linear(lower: 0, upper: 1) == [0, 0.5, 1])
    #expect(NiceTicks.linear(lower: 3, upper: 97) == [0, 50, 100])
    #expect(NiceTicks.linear(lower: 0, upper: 0.3, maxCount: 4) == [0, 0.1, 0.2, 0.3])
    #expect(NiceTicks.linear(lower: -0.7, upper: 0.2) == [-1, -0.5, 0, 0.5])
    #expect(NiceTicks.linear(lower: 0, upper: 1000, maxCount: 11).count == 11)
    #expect(NiceTicks.linear(lower: .nan, upper: 1) == [0, 0.5, 1])
    let flat = NiceTicks.linear(lower: 5, upper: 5)
    #expect(flat.first! < 5 && flat.last! > 5 && flat.contains(5))
    #expect(NiceTicks.linear(lower: 0, upper: 0).contains(0))
  }

  @Test func logarithmicTicksArePowersOfTenCoveringTheRange() {
    #expect(NiceTicks.logarithmic(lower: 3e-4, upper: 0.9) == [1e-4, 1e-3, 1e-2, 0.1, 1])
    #expect(NiceTicks.logarithmic(lower: 2, upper: 8) == [1, 2, 5, 10])
    #expect(NiceTicks.logarithmic(lower: 2, upper: 8, maxCount: 3) == [1, 10])
    #expect(NiceTicks.logarithmic(lower: 1e-12, upper: 1e12) == [1e-12, 1e-6, 1, 1e6, 1e12])
    #expect(NiceTicks.logarithmic(lower: 100, upper: 100) == [100, 200, 500, 1000])
    #expect(NiceTicks.logarithmic(lower: -1, upper: 10) == [1, 10])
    var rng = Seeded(state: 7)
    for sample in 0..<500 {
      let a = pow(10, Double.random(in: -30...30, using: &rng))
      let b = a * pow(10, Double.random(in: 0...20, using: &rng))
      let ticks = NiceTicks.logarithmic(lower: a, upper: b, maxCount: 5)
      #expect((2...5).contains(ticks.count), "sample \(sample): \(ticks)")
      #expect(ticks.first! <= a * (1 + 1e-9) && ticks.last! >= b * (1 - 1e-9), "sample \(sample): \(ticks) misses [\(a), \(b)]")
      let ratios = ticks.map { $0 / ticks[0] }
      if ticks.count == 4 && abs(ratios[3] - 10) < 1e-9 {
        #expect(zip(ratios, [1.0, 2, 5, 10]).allSatisfy { abs($0 - $1) < 1e-9 }, "sample \(sample): \(ticks)")
      } else {
        for t in ticks {
          let e = log10(t)
          #expect(abs(e - e.rounded()) < 1e-9, "sample \(sample): \(t) is not a power of ten")
        }
      }
    }
  }

  @Test(arguments: [
    (1200.0, "1.2k"), (0.5, "0.5"), (3.4e-5, "3.4e-5"), (0, "0"), (1e6, "1M"), (-2500, "-2.5k"),
    (0.1 + 0.2, "0.3"), (1e15, "1e15"), (0.001, "0.001"), (1e-4, "1e-4"), (12345, "12.345k"), (250, "250"),
    (2e9, "2G"), (7.5e12, "7.5T"), (-0.25, "-0.25"), (Double.nan, "nan"), (-Double.infinity, "-inf"),
  ])
  func labelsAreCompactAndExact(value: Double, expected: String) {
    #expect(NiceTicks.label(value) == expected)
  }

  @Test func compactRoundsToSignificantDigits() {
    #expect(NiceTicks.compact(999_999.9, significantDigits: 3) == "1M")
    #expect(NiceTicks.compact(3.14159, significantDigits: 3) == "3.14")
    #expect(NiceTicks.compact(0.000123456, significantDigits: 2) == "1.2e-4")
    #expect(NiceTicks.compact(123_456, significantDigits: 2) == "120k")
  }
}
