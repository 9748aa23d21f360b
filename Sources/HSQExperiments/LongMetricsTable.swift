import Foundation
import HSQCore

/// Several experiments' records in long format: one row per (experiment, step), pandas-ready.
///
/// Columns: `experiment`, `configuration` (a sweep's configuration number, else empty), `seed`, then
/// every setting by its name (as text), then the metrics of ``MetricsTable`` (the union over the
/// runs; a layer a run lacks is empty; `lr`, the rate in force at the step, is `current_lr`). `pandas.read_csv` and `read_json(lines=True)` read it as is.
public struct LongMetricsTable: Sendable {
  /// One experiment's part: its name, configuration number (sweeps), config and records.
  public struct Run: Sendable {
    public var name: String
    public var configuration: Int?
    public var config: ExperimentConfig
    public var history: [StepRecord]

    public init(name: String, configuration: Int? = nil, config: ExperimentConfig, history: [StepRecord]) {
      self.name = name
      self.configuration = configuration
      self.config = config
      self.history = history
    }
  }

  /// A cell: text (names and settings) or a number (`nil`: missing).
  public enum Cell: Sendable, Hashable {
    case text(String)
    case number(Double?)
  }

  public let columns: [String]
  public let rows: [[Cell]]

  public init(_ runs: [Run]) {
    let settings = ExperimentConfig.listedFields(for: runs.map(\.config)).filter { $0.name != "seed" }
    let tables = runs.map { MetricsTable($0.history) }
    var metrics: [String] = []
    var seen = Set<String>()
    for table in tables { for c in table.columns where seen.insert(c).inserted { metrics.append(c) } }
    // A metric named like a setting (the learning rate in force, `lr`) is renamed `current_lr`.
    let names = Set(settings.map(\.name))
    columns = ["experiment", "configuration", "seed"] + settings.map(\.name) + metrics.map { names.contains($0) ? "current_\($0)" : $0 }
    var rows: [[Cell]] = []
    for (run, table) in zip(runs, tables) {
      let index = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($1, $0) })
      let head: [Cell] = [.text(run.name), .number(run.configuration.map(Double.init)), .number(Double(run.config.seed))]
        + settings.map { .text($0.value(in: run.config)) }
      for row in table.rows { rows.append(head + metrics.map { name in .number(index[name].flatMap { row[$0] }) }) }
    }
    self.rows = rows
  }

  /// The table as CSV with a header line.
  public var csv: String { TableText(columns: columns, rows: rows).csv }

  /// One JSON object a row.
  public var jsonLines: String { TableText(columns: columns, rows: rows).jsonLines }

  /// Writes CSV (`.csv`) or JSON lines (`.jsonl`, `.json`) by the path's extension, atomically.
  public func write(to path: String) throws { try TableText(columns: columns, rows: rows).write(to: path) }
}

extension Sweep {
  /// Every run as a part of a long table, named `SWEEP/cK/sSEED`.
  public var longRuns: [LongMetricsTable.Run] {
    runs.map { .init(name: "\(name)/c\($0.configuration + 1)/s\($0.seed)", configuration: $0.configuration + 1, config: $0.config, history: $0.history) }
  }
}
