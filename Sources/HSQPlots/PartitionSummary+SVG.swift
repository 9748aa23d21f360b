import Foundation
import HSQExperiments

extension PartitionSummary {
  /// The partition as an SVG: one horizontal bar per worker, its length the example count, split by class.
  public func svg(title: String) -> String {
    let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    let rowHeight = 18.0, left = 70.0, width = 560.0, top = 40.0
    let height = top + Double(counts.count) * rowHeight + 50
    let most = Double(max(1, counts.max() ?? 1))
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + width + 30))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    out += "<text x=\"\(Int(left))\" y=\"20\" font-size=\"13\">\(SVGPlot.escape(title))</text>\n"
    for (w, histogram) in histograms.enumerated() {
      let y = top + Double(w) * rowHeight
      out += "<text x=\"\(Int(left - 6))\" y=\"\(format(y + 12))\" text-anchor=\"end\">worker \(w)</text>\n"
      var x = left
      for (c, n) in histogram.enumerated() where n > 0 {
        let length = width * Double(n) / most
        out += "<rect x=\"\(format(x))\" y=\"\(format(y + 2))\" width=\"\(format(length))\" height=\"\(format(rowHeight - 4))\" fill=\"\(palette[c % palette.count])\"><title>class \(c): \(n)</title></rect>\n"
        x += length
      }
      out += "<text x=\"\(format(x + 4))\" y=\"\(format(y + 12))\">\(counts[w])</text>\n"
    }
    let legendY = top + Double(counts.count) * rowHeight + 20
    for c in 0..<min(classCount, 20) {
      let x = left + Double(c) * 52
      out += "<rect x=\"\(format(x))\" y=\"\(format(legendY))\" width=\"10\" height=\"10\" fill=\"\(palette[c % palette.count])\"/>"
      out += "<text x=\"\(format(x + 14))\" y=\"\(format(legendY + 9))\">class \(c)</text>\n"
    }
    return out + "</svg>\n"
  }

  private func format(_ x: Double) -> String { String(format: "%.1f", x) }
}
