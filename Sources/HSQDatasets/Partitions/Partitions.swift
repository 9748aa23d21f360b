import HSQCore

/// The partition registry: how the training set is split across workers.
public enum Partitions {
  /// All registered partitions by name.
  public static let registry: ComponentTable<any Partitioner> = {
    let table = ComponentTable<any Partitioner>(kind: .partition)
    for type in builtinPartitionTypes {
      do { try table.register(type.info.documented(by: builtinDocComments["\(type)"])) { try type.init($0) } } catch {
        preconditionFailure("built-in partition \(type) failed to register: \(error)")
      }
    }
    return table
  }()

  /// Builds the partition spelled `name:key=value,…`, e.g. `dirichlet:alpha=0.1`.
  public static func make(_ spec: String) throws -> any Partitioner {
    try registry.make(spec)
  }

  /// Registers a partition type.
  ///
  /// - Throws: ``HSQError/duplicateName(kind:name:)`` when its name is taken.
  public static func register(_ type: any PartitionerComponent.Type) throws {
    try registry.register(type.info) { try type.init($0) }
  }

  /// How many target bins stand in for labels when regression data is partitioned.
  public static let regressionBins = 10

  /// Equal-count bins of `targets` as labels: the example of rank r (ties by index) gets bin ⌊r·bins/n⌋.
  public static func binLabels(_ targets: [Float], bins: Int) -> [Int32] {
    let n = targets.count
    let order = (0..<n).sorted { targets[$0] < targets[$1] || (targets[$0] == targets[$1] && $0 < $1) }
    var labels = [Int32](repeating: 0, count: n)
    for (rank, i) in order.enumerated() { labels[i] = Int32(rank * bins / max(n, 1)) }
    return labels
  }
}
