import Foundation
import HSQCore

/// Step records as flat, pandas-ready columns, written as CSV or JSON lines.
///
/// One row a step; per-layer quantities become columns named
/// `<layer>.<quantity>` (e.g. `fc1.weight.rho`). Missing values are empty in
/// CSV and `null` in JSON (so are NaN and infinities, which JSON lacks).
public struct MetricsTable: Sendable {
  public let columns: [String]
  public let rows: [[Double?]]

  public init(_ records: [StepRecord]) {
    var columns = [
      "step", "epoch", "lr", "train_loss", "test_loss", "test_accuracy", "test_examples", "participants", "bits_up", "bits_down",
      "cumulative_bits_up", "cumulative_bits_down", "gradient_norm", "distance_to_optimum", "compute_s", "compress_s",
      "wall_s", "cumulative_wall_s", "round_s", "cumulative_round_s",
    ]
    let layerNames = records.first?.layers.map(\.name) ?? []
    let quantities = ["bits", "rho", "exact_rho", "bound_rho", "worst_case", "gradient_norm"]
    for name in layerNames { for q in quantities { columns.append("\(name).\(q)") } }
    self.columns = columns
    rows = records.map { r in
      var row: [Double?] = [
        Double(r.step), r.epoch, r.lr, r.trainLoss, r.testLoss, r.testAccuracy, r.testExamples.map(Double.init), Double(r.participants),
        Double(r.bitsUp), Double(r.bitsDown), Double(r.cumulativeBitsUp), Double(r.cumulativeBitsDown),
        r.gradientNorm, r.distanceToOptimum, r.computeSeconds, r.compressSeconds,
        r.wallSeconds, r.cumulativeWallSeconds, r.roundSeconds, r.cumulativeRoundSeconds,
      ]
      for name in layerNames {
        let layer = r.layers.first { $0.name == name }
        row += [layer.map { Double($0.bits) }, layer?.observedRho, layer?.exactRho ?? nil, layer?.boundRho ?? nil,
                layer?.worstCase ?? nil, layer?.gradientNorm]
      }
      return row
    }
  }

  /// The table as CSV with a header line.
  public var csv: String {
    var text = columns.map(Self.quoteCSV).joined(separator: ",") + "\n"
    for row in rows {
      text += row.map { $0.map(Self.render) ?? "" }.joined(separator: ",") + "\n"
    }
    return text
  }

  /// One JSON object a row.
  public var jsonLines: String {
    rows.map { row in
      "{" + zip(columns, row).map { "\"\($0)\": \($1.flatMap { $0.isFinite ? Self.render($0) : nil } ?? "null")" }.joined(separator: ", ") + "}"
    }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
  }

  /// Writes CSV (`.csv`) or JSON lines (`.jsonl`, `.json`) by the path's extension, atomically.
  public func write(to path: String) throws {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "csv": try AtomicFile.write(csv, to: path)
    case "jsonl", "json", "ndjson": try AtomicFile.write(jsonLines, to: path)
    default:
      throw HSQError.invalidArgument("Cannot tell the format of '\(path)'; end the name with .csv or .jsonl.")
    }
  }

  static func render(_ value: Double) -> String {
    if !value.isFinite { return value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity") }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  static func quoteCSV(_ text: String) -> String {
    text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}
