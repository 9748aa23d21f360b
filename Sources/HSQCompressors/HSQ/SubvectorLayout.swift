import HSQCodebooks

/// How a vector of length d is cut into M = ⌈d/D⌉ sub-vectors of dimension D, the last one zero-padded.
public struct SubvectorLayout: Sendable, Hashable {
  public let length: Int
  public let dim: Int

  public init(length: Int, dim: Int) {
    precondition(dim >= 1, "sub-vector dimension must be positive")
    self.length = length
    self.dim = dim
  }

  /// M = ⌈d/D⌉.
  public var count: Int { (length + dim - 1) / dim }
  /// Sub-vectors with no padding.
  public var fullCount: Int { length / dim }
  /// Entries of the last sub-vector that are real (0 when D divides d).
  public var tailLength: Int { length % dim }

  /// Calls `body` with the full sub-vectors as one contiguous block (read in place from `v`),
  /// then, when D does not divide d, with the zero-padded last one (a D-entry copy).
  public func forEachBlock(_ v: UnsafeBufferPointer<Float>, _ body: (_ block: UnsafeBufferPointer<Float>, _ firstSubvector: Int) throws -> Void) rethrows {
    precondition(v.count == length, "vector length \(v.count) is not the layout's \(length)")
    if fullCount > 0 { try body(UnsafeBufferPointer(rebasing: v[0..<(fullCount * dim)]), 0) }
    if tailLength > 0 {
      var tail = [Float](repeating: 0, count: dim)
      for j in 0..<tailLength { tail[j] = v[fullCount * dim + j] }
      try tail.withUnsafeBufferPointer { try body($0, fullCount) }
    }
  }
}

extension Codebook {
  /// ‖c_k restricted to coordinates realLength..<D‖²: the part of codeword k that falls on zero padding.
  func paddingEnergy(_ k: Int, realLength: Int) -> Double {
    var total = 0.0
    for j in realLength..<dim { let c = Double(vectors[k * dim + j]); total += c * c }
    return total
  }
}
