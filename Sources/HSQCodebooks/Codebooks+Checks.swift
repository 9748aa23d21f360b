import HSQCore

extension Codebooks {
  /// The most values (K·D Floats, 1 GiB) a dense codebook may hold.
  public static let maximumValueCount = 1 << 28

  /// Throws when a K×D codebook would be too large to hold in memory.
  ///
  /// - Throws: ``HSQError/constraint(subject:rule:given:fix:)`` naming the construction and the fix.
  static func requireSize(dim: Int, k: Int, construction: String) throws {
    let (count, overflow) = dim.multipliedReportingOverflow(by: k)
    guard !overflow, count <= maximumValueCount else {
      throw HSQError.constraint(
        subject: "Codebook '\(construction)'", rule: "holds K·D values densely, at most \(maximumValueCount)",
        given: "dim=\(dim), k=\(k): \(dim)·\(k) values", fix: "Choose a smaller K·D")
    }
  }

  /// Whether `n` is a power of two (1, 2, 4, …).
  static func isPowerOfTwo(_ n: Int) -> Bool {
    n > 0 && n & (n - 1) == 0
  }
}
