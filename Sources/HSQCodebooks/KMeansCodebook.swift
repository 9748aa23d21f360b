import HSQCore

/// Sign-invariant spherical k-means, trained on uniform samples of the unit sphere.
///
/// ```
/// x_1 … x_N uniform on S^{D−1},   N = samples-per-codeword · K
/// assign:  a(x) = argmax_k |⟨c_k, x⟩|
/// update:  c_k ∝ Σ_{x: a(x) = k} sign(⟨c_k, x⟩) x          (then ‖c_k‖ = 1)
/// report:  mean over x of cos²θ(x) = max_k ⟨c_k, x⟩²
/// ```
///
/// HSQ sends `u = ⟨c_k, v⟩` with its sign, so a codeword and its negative are
/// the same codeword; distances are therefore taken up to sign. This is the
/// idea of the authors' learned "angular" codebooks (`angular_dim_D_Ks_K.fvecs`).
/// The update maximizes `Σ |⟨c_k, x⟩|` within each cluster; the report gives
/// mean cos²θ because HSQ's error is `(1 − cos²θ)‖v‖²` (THEORY.md §3).
/// Initialization is k-means++ up to sign (each next codeword drawn with
/// probability ∝ `1 − max⟨c, x⟩²` over those chosen). An empty cluster is
/// re-seeded with the worst-served sample. Training stops after
/// `iterations` updates, or earlier when no assignment changes. With D = 1 only K = 1
/// is accepted (the sphere is {±1}: more codewords would all be the same). The
/// assignment step is the fused C kernel `hsq_nearest_codewords`. Every phase checks the
/// current ``Cancellation`` at least every few milliseconds, so Ctrl-C stops even K = 65536.
/// Everything is drawn from `derived(from: seed, purpose: "codebook-kmeans", D, K)`.
///
/// **Properties**
/// - mean cos²θ ≈ 0.48 for D = 16, K = 256 (THEORY.md §3 table);
/// - training costs `iterations · N · K · D` multiply-adds (N = 64·K by default).
public enum KMeansCodebook: CodebookConstruction {
  public static let info = ComponentInfo(
    kind: .codebook, name: "kmeans",
    parameters: Codebooks.commonParameters() + [
      .int("samples-per-codeword", 1...4096, default: 64, doc: "Training samples per codeword (N = this·K)."),
      .int("iterations", 1...1000, default: 25, doc: "The most k-means updates; stops earlier when no assignment changes."),
    ])

  public static func make(_ parameters: ParameterValues) throws -> Codebook {
    let clock = ContinuousClock()
    let start = clock.now
    let dim = parameters.int("dim"), k = parameters.int("k"), seed = parameters.int("seed")
    let perCodeword = parameters.int("samples-per-codeword"), iterations = parameters.int("iterations")
    // The unit sphere of R¹ is {±1}: one codeword up to sign. More would be copies of it, after a long training.
    guard dim > 1 || k == 1 else {
      throw HSQError.invalidParameter(
        component: "kmeans", parameter: "k",
        problem: "with dim=1 there is one direction up to sign, so k=\(k) codewords would all be the same; use k=1 or dim ≥ 2.")
    }
    let (n, overflow) = k.multipliedReportingOverflow(by: perCodeword)
    let (values, valuesOverflow) = n.multipliedReportingOverflow(by: dim)
    guard !overflow, !valuesOverflow, values <= Codebooks.maximumValueCount else {
      throw HSQError.constraint(
        subject: "Codebook 'kmeans'", rule: "trains on k·samples-per-codeword·dim values, at most \(Codebooks.maximumValueCount)",
        given: "dim=\(dim), k=\(k), samples-per-codeword=\(perCodeword)", fix: "Lower samples-per-codeword or k")
    }
    var rng = RandomStream.derived(from: UInt64(seed), purpose: "codebook-kmeans", dim, k)
    let samples = try uniformSphereSamples(count: n, dim: dim, rng: &rng)
    var centers = try plusPlusSeeds(samples, count: n, dim: dim, k: k, rng: &rng)
    var assignment = try assign(samples, count: n, dim: dim, centers: centers, k: k)
    var updates = 0
    while updates < iterations {
      try Cancellation.checkCurrent()
      centers = update(samples, count: n, dim: dim, k: k, assignment: assignment)
      updates += 1
      let next = try assign(samples, count: n, dim: dim, centers: centers, k: k)
      let changed = next.index != assignment.index
      assignment = next
      if !changed { break }
    }
    var objective = 0.0
    for d in assignment.dot { objective += Double(d) * Double(d) }
    let elapsed = start.duration(to: clock.now).components
    let report = TrainingReport(
      iterations: updates, samples: n, objective: objective / Double(n),
      seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
    return try Codebook(name: parameters.canonical, dim: dim, count: k, rows: centers, training: report)
  }

  /// `count` points uniform on the unit sphere: normalized Gaussian vectors.
  static func uniformSphereSamples(count: Int, dim: Int, rng: inout RandomStream) throws -> [Float] {
    var samples = [Float](repeating: 0, count: count * dim)
    var row = [Double](repeating: 0, count: dim)
    for i in 0..<count {
      if i & 0xFFFF == 0 { try Cancellation.checkCurrent() }
      var s = 0.0
      repeat {
        s = 0
        for j in 0..<dim { row[j] = rng.gaussian(); s += row[j] * row[j] }
      } while s == 0
      let inv = 1 / s.squareRoot()
      for j in 0..<dim { samples[i * dim + j] = Float(row[j] * inv) }
    }
    return samples
  }

  /// k-means++ up to sign: each next center is a sample drawn with probability ∝ 1 − max over chosen centers of ⟨c, x⟩².
  static func plusPlusSeeds(_ samples: [Float], count n: Int, dim: Int, k: Int, rng: inout RandomStream) throws -> [Float] {
    var centers = [Float](repeating: 0, count: k * dim)
    var distance = [Double](repeating: 1, count: n)
    var pick = rng.int(below: n)
    for c in 0..<k {
      let center = Array(samples[(pick * dim)..<((pick + 1) * dim)])
      centers.replaceSubrange((c * dim)..<((c + 1) * dim), with: center)
      guard c + 1 < k else { break }
      // The new center's inner products with every sample, through the kernel (K = 1).
      let dots = try NearestCodewordPlan(rows: center, count: 1, dim: dim).search(samples, rows: n).dot
      var total = 0.0
      distance.withUnsafeMutableBufferPointer { dist in
        for i in 0..<n {
          let d = Double(dots[i])
          dist[i] = Swift.min(dist[i], Swift.max(0, 1 - d * d))
          total += dist[i]
        }
      }
      if total > 0 {
        let r = rng.uniformDouble() * total
        var cumulative = 0.0
        pick = n - 1
        for i in 0..<n where distance[i] > 0 {
          cumulative += distance[i]
          if cumulative > r { pick = i; break }
        }
      } else {
        pick = rng.int(below: n)
      }
    }
    return centers
  }

  /// The nearest center (up to sign) of every sample and the signed inner product.
  static func assign(_ samples: [Float], count n: Int, dim: Int, centers: [Float], k: Int) throws -> (index: [Int32], dot: [Float]) {
    try NearestCodewordPlan(rows: centers, count: k, dim: dim).search(samples, rows: n)
  }

  /// New centers: the normalized signed sums of the samples of each cluster; empty clusters take the worst-served samples.
  static func update(_ samples: [Float], count n: Int, dim: Int, k: Int, assignment: (index: [Int32], dot: [Float])) -> [Float] {
    var sums = [Double](repeating: 0, count: k * dim)
    samples.withUnsafeBufferPointer { x in
      sums.withUnsafeMutableBufferPointer { s in
        for i in 0..<n {
          let c = Int(assignment.index[i])
          let sign: Double = assignment.dot[i] < 0 ? -1 : 1
          let row = x.baseAddress! + i * dim, sum = s.baseAddress! + c * dim
          for j in 0..<dim { sum[j] += sign * Double(row[j]) }
        }
      }
    }
    var centers = [Float](repeating: 0, count: k * dim)
    var worst: [Int]? = nil
    var nextWorst = 0
    for c in 0..<k {
      var norm = 0.0
      for j in 0..<dim { norm += sums[c * dim + j] * sums[c * dim + j] }
      if norm > 0 {
        let inv = 1 / norm.squareRoot()
        for j in 0..<dim { centers[c * dim + j] = Float(sums[c * dim + j] * inv) }
      } else {
        // Ascending cos²θ, ties by index: deterministic.
        if worst == nil {
          worst = (0..<n).sorted { a, b in
            let da = abs(assignment.dot[a]), db = abs(assignment.dot[b])
            return da < db || (da == db && a < b)
          }
        }
        let i = worst![nextWorst % n]
        nextWorst += 1
        for j in 0..<dim { centers[c * dim + j] = samples[i * dim + j] }
      }
    }
    return centers
  }
}
