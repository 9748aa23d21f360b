extension Completion {
  /// Lays candidates out in columns, like bash and `ls`, down then across.
  ///
  /// Each column is as wide as the longest item plus two spaces; as many
  /// columns as fit in `width` are used (at least one). Rows carry no trailing
  /// spaces. Widths count `Character`s, which is exact for the ASCII words the
  /// REPL completes and close for the rest.
  ///
  /// - Parameters:
  ///   - items: The candidates, already in display order.
  ///   - width: The terminal width in columns.
  /// - Returns: One string per row; empty when `items` is empty.
  public static func columns(_ items: [String], width: Int) -> [String] {
    guard !items.isEmpty else { return [] }
    let cell = (items.map(\.count).max() ?? 0) + 2
    let columnCount = max(1, min(items.count, width / cell))
    let rowCount = (items.count + columnCount - 1) / columnCount
    return (0..<rowCount).map { row in
      var line = ""
      for column in 0..<columnCount {
        let index = column * rowCount + row
        guard index < items.count else { break }
        let item = items[index]
        line += item
        if (column + 1) * rowCount + row < items.count {
          line += String(repeating: " ", count: cell - item.count)
        }
      }
      return line
    }
  }
}
