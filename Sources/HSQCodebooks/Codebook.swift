import HSQCore

/// K unit vectors in R^D shared by every worker: the vocabulary HSQ quantizes directions with.
///
/// Codewords are rows of ``vectors`` (K×D, row-major), each normalized to unit
/// length. A codebook is generated from a seed and never transmitted, so
/// only its name and parameters identify it.
public struct Codebook: Sendable, Hashable {
  /// The canonical spelling, e.g. `gaussian:dim=16,k=256,seed=0`.
  public let name: String
  /// D, the dimension of each codeword.
  public let dim: Int
  /// K, the number of codewords.
  public let count: Int
  /// The codewords, K×D row-major, unit rows.
  public let vectors: [Float]
  /// How the codebook was trained, for constructions that train (k-means).
  public let training: TrainingReport?

  /// A codebook from raw rows, normalized to unit length.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` when the shape does not match, a row
  ///   is zero or a value is not finite.
  public init(name: String, dim: Int, count: Int, rows: [Float], training: TrainingReport? = nil) throws {
    guard dim >= 1, count >= 1, rows.count == dim * count else {
      throw HSQError.invalidArgument("Codebook '\(name)' has \(rows.count) values, not K·D = \(count)·\(dim); give K rows of D values.")
    }
    try Vec.requireFinite(rows, what: "Codebook '\(name)'")
    var normalized = rows
    for k in 0..<count {
      var s = 0.0
      for j in 0..<dim { let x = Double(rows[k * dim + j]); s += x * x }
      guard s > 0 else {
        throw HSQError.invalidArgument("Codeword \(k) of codebook '\(name)' is zero; every codeword must have a direction.")
      }
      let inv = 1 / s.squareRoot()
      for j in 0..<dim { normalized[k * dim + j] = Float(Double(rows[k * dim + j]) * inv) }
    }
    self.name = name
    self.dim = dim
    self.count = count
    self.vectors = normalized
    self.training = training
  }

  /// Codeword `k` as D values.
  public func codeword(_ k: Int) -> ArraySlice<Float> {
    vectors[(k * dim)..<((k + 1) * dim)]
  }

  /// The codebook transposed, D×K row-major (the layout the nearest-codeword kernel reads).
  public var transposed: [Float] {
    var t = [Float](repeating: 0, count: dim * count)
    for k in 0..<count { for j in 0..<dim { t[j * count + k] = vectors[k * dim + j] } }
    return t
  }

  /// The codewords as a D×K matrix in Double (codewords are columns, as in THEORY.md).
  public var matrix: Matrix {
    var m = Matrix(rows: dim, columns: count)
    for k in 0..<count { for j in 0..<dim { m[j, k] = Double(vectors[k * dim + j]) } }
    return m
  }
}

/// What training a codebook cost and reached.
public struct TrainingReport: Sendable, Hashable, Codable {
  /// Iterations run.
  public var iterations: Int
  /// Training samples used.
  public var samples: Int
  /// The objective reached (mean cos²θ between samples and their codewords for spherical k-means).
  public var objective: Double
  /// Wall-clock seconds spent (not part of the result; for reports only).
  public var seconds: Double

  public init(iterations: Int, samples: Int, objective: Double, seconds: Double) {
    self.iterations = iterations
    self.samples = samples
    self.objective = objective
    self.seconds = seconds
  }

  // Seconds vary between runs; equality is about the result.
  public static func == (a: TrainingReport, b: TrainingReport) -> Bool {
    a.iterations == b.iterations && a.samples == b.samples && a.objective == b.objective
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(iterations); hasher.combine(samples); hasher.combine(objective)
  }
}
