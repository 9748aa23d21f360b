import Foundation
import HSQExperiments
import Testing

@testable import HSQPlots

/// Series styles, padded axes, log axes without empty decades, percent axes, EMA smoothing and legend labels.
@Suite struct FigureStyleTests {
  /// CIE L*a*b* (D65) of `#RRGGBB`.
  static func lab(_ hex: String) -> (l: Double, a: Double, b: Double) {
    let channel = { (at: Int) -> Double in
      let c = Double(Int(hex.dropFirst(1 + 2 * at).prefix(2), radix: 16)!) / 255
      return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }
    let (r, g, b) = (channel(0), channel(1), channel(2))
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    let f = { (t: Double) in t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
  }

  /// BT.601 luma of `#RRGGBB` on 0…255, the grey of a plain desaturation.
  static func luma(_ hex: String) -> Double {
    let c = (0..<3).map { Double(Int(hex.dropFirst(1 + 2 * $0).prefix(2), radix: 16)!) }
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
  }

  @Test func theFirstEightColoursDifferInColourAndInGreyscale() {
    let colours = Array(SeriesStyle.palette.prefix(8))
    for i in colours.indices {
      for j in colours.indices where j > i {
        let (p, q) = (Self.lab(colours[i]), Self.lab(colours[j]))
        let deltaE = ((p.l - q.l) * (p.l - q.l) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b)).squareRoot()
        #expect(deltaE >= 35, "\(colours[i]) and \(colours[j]): ΔE \(deltaE)")
        #expect(abs(p.l - q.l) >= 5, "\(colours[i]) and \(colours[j]): L* \(p.l) and \(q.l)")
        #expect(abs(Self.luma(colours[i]) - Self.luma(colours[j])) >= 11, "\(colours[i]) and \(colours[j]): same grey")
      }
    }
    #expect(SeriesStyle.palette.allSatisfy { Self.lab($0).l <= 74 }, "a colour too light to show on white")
  }

  @Test func seriesDifferInColourMarkerAndDash() {
    let styles = (0..<70).map(SeriesStyle.init(index:))
    #expect(Set(styles.prefix(10).map(\.colour)).count == 10 && Set(styles.prefix(10).map(\.marker)).count == 10)
    #expect(Set(styles.prefix(7).map { $0.dash ?? "solid" }).count == 7)
    #expect(Set(styles.map { "\($0.colour) \($0.marker) \($0.dash ?? "solid")" }).count == 70)
    #expect(TerminalPlot.markers == ["●", "▲", "■", "◆", "○", "△", "□", "◇", "+", "×"])
  }

  typealias Seeded = PlotNiceTicksTests.Seeded

  @Test func paddingKeepsEveryPointOffTheFrame() {
    var rng = Seeded(state: 3)
    for sample in 0..<1000 {
      let log = sample % 2 == 1
      let scale = pow(10, Double.random(in: -8...8, using: &rng))
      let values = (0..<Int.random(in: 2...50, using: &rng)).map { _ in
        log ? scale * pow(10, Double.random(in: 0...Double(sample % 9), using: &rng)) : scale * Double.random(in: -1...1, using: &rng)
      }
      let axis = PlotAxis(values: values, logarithmic: log, maxTicks: 5, padding: 0.05)
      for v in values {
        let f = axis.fraction(v)
        #expect(f >= 0.04 && f <= 0.96, "sample \(sample): \(v) at \(f) of [\(axis.lower), \(axis.upper)]")
      }
      #expect(axis.ticks.count >= 2, "sample \(sample): \(axis.ticks)")
      let slack = 1e-9 * max(abs(axis.lower), abs(axis.upper))
      #expect(axis.ticks.allSatisfy { $0 >= axis.lower - slack && $0 <= axis.upper + slack }, "sample \(sample): \(axis.ticks)")
    }
    let accuracy = PlotAxis(values: [0.4, 1], logarithmic: false, maxTicks: 5, padding: 0.05)
    #expect(accuracy.lower < 0.4 && accuracy.upper > 1, "1.0 (100 %) must not sit on the frame")
  }

  @Test func logAxesHaveNoEmptyDecade() {
    // Notebook 03's bits axis: 1.2 Mbit … 61 Gbit used to run to 100G, a decade with no data.
    let bits = PlotAxis(values: [1.2e6, 3e8, 6.107e10], logarithmic: true, maxTicks: 8, padding: 0.02)
    #expect(bits.ticks == [1e6, 1e7, 1e8, 1e9, 1e10])
    #expect(bits.upper < 1e11 && bits.lower > 1e5)
    var rng = Seeded(state: 11)
    for sample in 0..<500 {
      let low = pow(10, Double.random(in: -20...20, using: &rng)), high = low * pow(10, Double.random(in: 0.01...12, using: &rng))
      let axis = PlotAxis(values: [low, high], logarithmic: true, maxTicks: 6, padding: 0.05)
      let first = Int(log10(axis.lower).rounded(.down)), last = Int(log10(axis.upper).rounded(.up))
      for k in first..<last {
        let (a, b) = (pow(10, Double(k)), pow(10, Double(k + 1)))
        let whollyOnAxis = a >= axis.lower && b <= axis.upper
        #expect(!whollyOnAxis || (b > low && a < high), "sample \(sample): decade [\(a), \(b)] on the axis holds no data in [\(low), \(high)]")
      }
      #expect(axis.ticks.count >= 2, "sample \(sample): \(axis.ticks) for [\(low), \(high)]")
    }
  }

  @Test func insideTicksExamples() {
    #expect(NiceTicks.linear(inside: 0.3775, 0.8925) == [0.4, 0.5, 0.6, 0.7, 0.8])
    #expect(NiceTicks.linear(inside: -0.05, 1.05) == [0, 0.5, 1])
    #expect(NiceTicks.linear(inside: -0.05, 1.05, maxCount: 6) == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(NiceTicks.logarithmic(inside: 0.2, 9) == [0.2, 0.5, 1, 2, 5])
    #expect(NiceTicks.logarithmic(inside: 0.25, 0.45) == [0.3, 0.4])
    #expect(NiceTicks.logarithmic(inside: 1e-12, 1e12, maxCount: 5) == [1e-12, 1e-6, 1, 1e6, 1e12])
    #expect(NiceTicks.linear(inside: 1, 1).isEmpty && NiceTicks.logarithmic(inside: -1, 10).isEmpty)
  }

  @Test func accuracyAxesReadInPercent() {
    let axis = PlotAxis(values: [0.42, 0.87], logarithmic: false, maxTicks: 5, padding: 0.05, percent: true)
    #expect(axis.labels == ["40%", "50%", "60%", "70%", "80%"])
    let spec = PlotSpec(series: [PlotSeries(name: "acc", y: [0.42, 0.6, 0.87])], yPercent: true)
    #expect(TerminalPlot.render(spec, width: 50, height: 14).contains("80%┤"))
    #expect(SVGPlot.render(spec).contains(">80%</text>"))
  }

  @Test func emaSmoothing() {
    #expect(Smoothing.ema([1, 2, 3], span: 3) == [1, 1.5, 2.25])
    #expect(Smoothing.ema([4, 8, 6, 2], span: 1) == [4, 8, 6, 2])
    let gaps = Smoothing.ema([.nan, 1, .nan, 3], span: 3)
    #expect(gaps[0].isNaN && gaps[1] == 1 && gaps[2].isNaN && gaps[3] == 2)
    #expect(Smoothing.ema(Array(repeating: 0.7, count: 50), span: 10).allSatisfy { $0 == 0.7 })
    // A step from 0 to 1: after n points the EMA is 1 − (1 − α)ⁿ, α = 2/(span + 1).
    let step = Smoothing.ema([0] + Array(repeating: 1, count: 20), span: 9)
    for n in 1...20 { #expect(abs(step[n] - (1 - pow(0.8, Double(n)))) < 1e-12, "point \(n): \(step[n])") }
  }

  @Test func legendLabelsSayWhatEachExperimentIs() throws {
    var sgd = ExperimentConfig(), hsq = ExperimentConfig(), qsgd = ExperimentConfig()
    sgd.compressor = "identity"
    hsq.compressor = "hsq:dim=16,k=256"
    hsq.errorFeedback = true
    qsgd.compressor = "qsgd:bits=2"
    qsgd.evalEvery = 5
    #expect(SeriesLabel.describe([sgd, hsq, qsgd], names: ["a", "b", "c"]) == ["uncompressed", "hsq (dim=16, k=256) + EF", "qsgd (bits=2)"])
    var slow = hsq
    slow.lr = 0.05
    #expect(SeriesLabel.describe([hsq, slow], names: ["h1", "h2"]) == ["hsq (dim=16, k=256) + EF, lr=0.1", "hsq (dim=16, k=256) + EF, lr=0.05"])
    #expect(SeriesLabel.describe([hsq, hsq], names: ["h1", "h2"]) == ["hsq (dim=16, k=256) + EF [h1]", "hsq (dim=16, k=256) + EF [h2]"])
    #expect(SeriesLabel.context([sgd, hsq]) == "mlp:hidden=128 on gaussian-mixture, 8 workers × batch 32")
    var other = sgd
    other.dataset = "linear"
    #expect(SeriesLabel.context([sgd, other]) == "mlp:hidden=128, 8 workers × batch 32")
    other.model = "least-squares:bias=false"
    other.dataset = "linear:d=512,n=4096,n-test=0,condition=10"
    #expect(SeriesLabel.context([other]) == "least-squares:bias=false on linear, 8 workers × batch 32")
  }
}
