import HSQPlots

/// Plot specs shared by the terminal and SVG tests; the data use arithmetic only (no libm), so they are the same everywhere.
enum PlotFixtures {
  /// Two loss curves over 200 steps, five evaluation points and a bound.
  static var loss: PlotSpec {
    let steps = (0..<200).map(Double.init)
    let wiggle: [Double] = [0, 0.02, 0.03, 0.02, 0, -0.02, -0.03, -0.02]
    let hsq = steps.map { 0.9 / (1 + $0 / 25) + 0.1 + wiggle[Int($0) / 3 % 8] }
    let qsgd = steps.map { 0.8 / (1 + $0 / 60) + 0.15 }
    return PlotSpec(
      title: "Training loss", xLabel: "step", yLabel: "loss",
      series: [
        PlotSeries(name: "hsq d=16 k=256", x: steps, y: hsq),
        PlotSeries(name: "qsgd", x: steps, y: qsgd, style: .dashed),
        PlotSeries(name: "eval", x: [0, 50, 100, 150, 199], y: [1.0, 0.4, 0.25, 0.2, 0.18], style: .points),
      ],
      horizontalLines: [.init(label: "bound", y: 1.05)])
  }

  /// Observed error against bits on log-log axes, with a worst-case line.
  static var logLog: PlotSpec {
    PlotSpec(
      title: "rho vs bits", xLabel: "bits", yLabel: "rho",
      series: [
        PlotSeries(name: "observed", x: [1, 10, 100, 1000, 1e4], y: [0.9, 0.3, 0.05, 0.004, 3e-4], style: .points),
        PlotSeries(name: "theory", x: [1, 1e4], y: [1, 1e-4], style: .dashed),
      ],
      logX: true, logY: true, horizontalLines: [.init(label: "worst case 1 − δ", y: 0.5)])
  }

  /// Six accuracy curves against cumulative bits on a log axis, like notebook 03's figure: curves that
  /// end close together, in %, with the legend labels `plot` writes.
  static var sixSeries: PlotSpec {
    let names = [
      "uncompressed", "hsq (dim=16, k=256, codebook=kmeans, norm-bits=6) + EF", "qsgd (bits=2, bucket=128)", "terngrad",
      "scaled-sign + EF", "topk (ratio=0.01) + EF",
    ]
    let bitsPerStep: [Double] = [26e6, 0.8e6, 3.5e6, 1.34e6, 0.85e6, 0.43e6]
    let final: [Double] = [0.859, 0.8614, 0.8604, 0.8584, 0.8612, 0.8596]
    let series = names.indices.map { i -> PlotSeries in
      var x: [Double] = [], y: [Double] = []
      for k in 1...40 {
        let step = Double(k) * 60
        x.append(step * bitsPerStep[i])
        let t = step / 2400
        let wiggle = Double((k * (i + 3)) % 7 - 3) * 0.002
        y.append(final[i] - 0.45 * (1 - t) * (1 - t) * (1 - t) * (1 - t) + wiggle * (1 - t))
      }
      return PlotSeries(name: names[i], x: x, y: y)
    }
    return PlotSpec(
      title: "Test accuracy — mlp:hidden=128 on fashion-mnist, 8 workers × batch 32", xLabel: "cumulative uplink bits",
      yLabel: "test accuracy", series: series, logX: true, yPercent: true)
  }

  /// A spec with no drawable point.
  static var empty: PlotSpec {
    PlotSpec(title: "empty", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "nothing", y: [])])
  }

  /// Awkward inputs: NaN, infinities, non-positive values on log axes, long names, a dozen series.
  static var awkward: [PlotSpec] {
    let nan = Double.nan, inf = Double.infinity
    let many = (0..<12).map { i in PlotSeries(name: "series \(i)", y: (0..<30).map { Double(($0 * (i + 3)) % 17) }) }
    return [
      PlotSpec(series: [PlotSeries(name: "gaps", x: [0, 1, 2, 3, 4, 5], y: [1, nan, 3, inf, 5, -inf])]),
      PlotSpec(series: [PlotSeries(name: "all nan", y: [nan, nan, nan])]),
      PlotSpec(series: [PlotSeries(name: "mixed", x: [0, 1, 2, 3], y: [-1, 0, 1, 10])], logX: true, logY: true),
      PlotSpec(series: [PlotSeries(name: "non-positive", y: [-1, 0, -3])], logY: true),
      PlotSpec(series: [PlotSeries(name: "one point", x: [3], y: [7])]),
      PlotSpec(series: [PlotSeries(name: "constant", y: [2, 2, 2, 2])]),
      PlotSpec(series: [PlotSeries(name: "huge", y: [1e300, -1e300, 5e299])]),
      PlotSpec(series: [PlotSeries(name: "tiny", y: [1e-300, 2e-300, 3e-300])]),
      PlotSpec(series: [PlotSeries(name: "extreme", y: [1.7e308, -1.7e308, 0])]),
      PlotSpec(series: [PlotSeries(name: "denormal", y: [Double.leastNonzeroMagnitude * 8096, Double.leastNonzeroMagnitude * 10120, 1e-300])], logY: true),
      PlotSpec(series: [PlotSeries(name: "mismatched", x: [0, 1, 2, 3, 4], y: [1, 2])]),
      PlotSpec(horizontalLines: [.init(label: "only a line", y: 0.3), .init(label: "nan line", y: nan)]),
      PlotSpec(
        title: String(repeating: "a very long title ", count: 12), xLabel: String(repeating: "x", count: 300),
        yLabel: "y\nwith\tcontrol", series: many, horizontalLines: [.init(label: String(repeating: "L", count: 90), y: 4)]),
      PlotSpec(),
    ]
  }
}
