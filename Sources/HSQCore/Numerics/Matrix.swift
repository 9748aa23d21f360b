/// A dense matrix of Doubles, row-major, for the small linear algebra of theory and codebooks (D up to ~1024).
public struct Matrix: Sendable, Hashable, CustomStringConvertible {
  public let rows: Int
  public let columns: Int
  /// Entries, row-major: `storage[i * columns + j]` is entry (i, j).
  public var storage: [Double]

  /// A zero matrix.
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
    self.rows = rows
    self.columns = columns
    storage = [Double](repeating: 0, count: rows * columns)
  }

  /// A matrix from row-major entries.
  public init(rows: Int, columns: Int, storage: [Double]) {
    precondition(storage.count == rows * columns, "storage does not match \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// The n×n identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
  }

  @inlinable
  public subscript(i: Int, j: Int) -> Double {
    get { storage[i * columns + j] }
    set { storage[i * columns + j] = newValue }
  }

  /// The transpose.
  public var transposed: Matrix {
    var t = Matrix(rows: columns, columns: rows)
    for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
    return t
  }

  /// Column `j` as an array.
  public func column(_ j: Int) -> [Double] {
    (0..<rows).map { self[$0, j] }
  }

  /// Row `i` as an array.
  public func row(_ i: Int) -> [Double] {
    Array(storage[(i * columns)..<((i + 1) * columns)])
  }

  public var description: String {
    (0..<rows).map { i in row(i).map { formatNumber($0) }.joined(separator: " ") }.joined(separator: "\n")
  }
}
