import CKernels
import HSQCodebooks
import HSQCore

/// A rule for coefficients a with Ca = v per sub-vector; the ℓ1 sampling, variance and norms built on
/// them are shared (THEORY.md §2: P(k) = |a_k|/‖a‖₁, u = sign(a_k)·‖a‖₁, E‖Q(v) − v‖² = ‖a‖₁² − ‖v‖²).
protocol SubvectorCoefficients: Sendable {
  /// D.
  var dim: Int { get }
  /// K.
  var count: Int { get }
  var codebook: Codebook { get }
  /// a for one sub-vector (D entries at `v`), into `a` (K entries, all written); returns ‖a‖₁.
  func coefficients(_ v: UnsafePointer<Float>, into a: UnsafeMutablePointer<Double>) -> Double
}

/// Coefficients a = C⁺v of sub-vectors in a codebook (the minimum-ℓ2 solution of Ca = v).
struct PseudoInverseCoefficients: SubvectorCoefficients {
  let dim: Int
  let count: Int
  /// C⁺, K×D row-major, Float32.
  let pinv: [Float]
  let codebook: Codebook

  init(_ codebook: Codebook) throws {
    guard codebook.count >= codebook.dim else {
      throw HSQError.incompatible(
        subject: "Unbiased HSQ", needs: "K ≥ D codewords to span R^D",
        found: "codebook '\(codebook.name)' has K = \(codebook.count) < D = \(codebook.dim)", fix: "raise k")
    }
    let p = try CodebookBounds.pseudoInverse(codebook)
    dim = codebook.dim
    count = codebook.count
    pinv = p.storage.map { Float($0) }
    self.codebook = codebook
  }

  /// a = C⁺v for one sub-vector (D entries at `v`), into `a` (K entries); returns ‖a‖₁.
  @inline(__always)
  func coefficients(_ v: UnsafePointer<Float>, into a: UnsafeMutablePointer<Double>) -> Double {
    var norm1 = 0.0
    pinv.withUnsafeBufferPointer { p in
      for k in 0..<count {
        var s: Float = 0
        let row = k * dim
        for j in 0..<dim { s += p[row + j] * v[j] }
        a[k] = Double(s)
        norm1 += abs(Double(s))
      }
    }
    return norm1
  }

  /// ``sample(_:layout:rng:)``'s indices, scalars and draws bit for bit, sixteen sub-vectors at a time.
  ///
  /// The C kernel (hsq_pinv_prefix16) computes the coefficients and the running sums
  /// |a_0| + … + |a_k| of sixteen sub-vectors side by side, each with the scalar loop's operations;
  /// the inverse CDF's "first k whose running sum passes r" is then a binary search over those sums
  /// (they never decrease, and they first pass r at a non-zero a_k), sixteen side by side, in C with the draws and the choices
  /// (hsq_pinv_choose16). Where the kernel does not run (D > HSQ_PINV_MAX_DIM) this is ``sample(_:layout:rng:)`` itself.
  func sampleBlocked(
    _ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout, rng: inout RandomStream, level: hsq_kernel_level = HSQ_KERNELS_AUTO
  ) -> (indices: [Int32], scalars: [Float]) {
    var indices = [Int32](repeating: 0, count: layout.count)
    var scalars = [Float](repeating: 0, count: layout.count)
    let a = UnsafeMutablePointer<Float>.allocate(capacity: 16 * count)
    let prefix = UnsafeMutablePointer<Double>.allocate(capacity: 16 * count)
    defer { a.deallocate(); prefix.deallocate() }
    var ran = true
    var stream = rng  // a local copy the loop advances (written back below): no access to `rng` through the closures
    pinv.withUnsafeBufferPointer { p in
      indices.withUnsafeMutableBufferPointer { indices in
        scalars.withUnsafeMutableBufferPointer { scalars in
          layout.forEachBlock(v) { block, first in
            let rows = block.count / dim
            var start = 0
            while ran && start < rows {
              let n = Swift.min(16, rows - start)
              let status = hsq_pinv_prefix16(
                p.baseAddress!, Int32(count), Int32(dim), block.baseAddress! + start * dim, Int32(n), a, prefix, level)
              // The kernel runs for every block or for none (it depends on the CPU and D only).
              guard status != 0 else {
                precondition(first + start == 0, "hsq_pinv_prefix16 stopped running mid-vector")
                ran = false
                return
              }
              // Draws in lane order for the sub-vectors with ‖a‖₁ > 0 (the scalar loop's), all sixteen searches at once,
              // then each sub-vector's codeword and scalar.
              stream.withStateWords { state in
                hsq_pinv_choose16(
                  a, prefix, Int32(count), Int32(n), state, indices.baseAddress! + first + start, scalars.baseAddress! + first + start, level)
              }
              start += n
            }
          }
        }
      }
    }
    guard ran else { return sample(v, layout: layout, rng: &rng) }
    rng = stream
    return (indices, scalars)
  }
}

extension SubvectorCoefficients {
  /// Runs `body(m, a, ‖a‖₁, ‖v‖²)` for every sub-vector.
  func forEachSubvector(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout,
                        _ body: (Int, UnsafeMutablePointer<Double>, Double, Double) -> Void) {
    let a = UnsafeMutablePointer<Double>.allocate(capacity: count)
    defer { a.deallocate() }
    layout.forEachBlock(v) { block, first in
      let rows = block.count / dim
      for r in 0..<rows {
        let sub = block.baseAddress! + r * dim
        var sq = 0.0
        for j in 0..<dim { sq += Double(sub[j]) * Double(sub[j]) }
        body(first + r, a, coefficients(sub, into: a), sq)
      }
    }
  }

  /// Samples k ∝ |a_k| for every sub-vector: indices and scalars sign(a_k)·‖a‖₁.
  func sample(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout, rng: inout RandomStream) -> (indices: [Int32], scalars: [Float]) {
    var indices = [Int32](repeating: 0, count: layout.count)
    var scalars = [Float](repeating: 0, count: layout.count)
    forEachSubvector(v, layout: layout) { m, a, norm1, _ in
      guard norm1 > 0 else { return }
      // Inverse CDF: the first k whose cumulative weight passes r (THEORY.md §7).
      let r = rng.uniformDouble() * norm1
      var cumulative = 0.0
      var chosen = -1
      for k in 0..<count where a[k] != 0 {
        cumulative += abs(a[k])
        chosen = k
        if cumulative > r { break }
      }
      indices[m] = Int32(chosen)
      scalars[m] = Float(a[chosen] < 0 ? -norm1 : norm1)
    }
    return (indices, scalars)
  }

  /// Σₘ(‖aₘ‖₁² − ‖vₘ‖²), less what falls on the zero padding of the last sub-vector, which the
  /// decoder drops: E[u²‖c_k on the padding‖²] = ‖a‖₁·Σ_k |a_k|·‖c_k on the padding‖².
  func variance(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> Double {
    var total = 0.0
    forEachSubvector(v, layout: layout) { m, a, norm1, sq in
      var dropped = 0.0
      if layout.tailLength > 0, m == layout.count - 1 {
        for k in 0..<count where a[k] != 0 { dropped += abs(a[k]) * codebook.paddingEnergy(k, realLength: layout.tailLength) }
        dropped *= norm1
      }
      total += max(0, norm1 * norm1 - sq - dropped)
    }
    return total
  }

  /// maxₘ ‖aₘ‖₁.
  func largestNorm1(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> Double {
    var largest = 0.0
    forEachSubvector(v, layout: layout) { _, _, norm1, _ in largest = max(largest, norm1) }
    return largest
  }
}
