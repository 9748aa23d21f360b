import HSQCore

// QSGD's hot loops: the scales, the level codes and their packing. Branch-free loops
// over raw buffers, so that they vectorize with the baseline x86-64 instruction set.
extension QSGDCompressor {
  /// Codes ξ_i << 1 | signbit(v_i) for `n` coordinates of one bucket with scale `sigma` > 0.
  ///
  /// Branch-free so that it vectorizes with SSE2 alone: ⌊r⌋ is the nearest integer
  /// ((r + 2²³) − 2²³, exact for 0 ≤ r < 2²²) minus one when that is above r, and ξ_i,
  /// an integer in a Float, lands in the low mantissa bits of ξ_i + 2²³.
  @inline(__always)
  static func levelCodes(
    _ x: UnsafePointer<Float>, _ n: Int, sigma: Float, s: Float, sMinusOne: Float,
    _ u: UnsafePointer<Float>, _ codes: UnsafeMutablePointer<UInt32>
  ) {
    for j in 0..<n {
      let value = x[j]
      let r = (abs(value) / sigma) * s
      let nearest = (r + 0x1p23) - 0x1p23
      let low = min(nearest - (nearest > r ? 1 : 0), sMinusOne)
      let level = low + (u[j] < r - low ? 1 : 0)
      codes[j] = ((level + 0x1p23).bitPattern & 0x7F_FFFF) << 1 | value.bitPattern >> 31
    }
  }

  /// Writes `n` values ±ξ/s·σ from codes; returns 1 when a code has ξ > s (a malformed payload).
  @inline(__always)
  static func levelValues(
    _ codes: UnsafePointer<UInt32>, _ n: Int, sigma: Float, inverse: Float, s: Int32,
    _ out: UnsafeMutablePointer<Float>
  ) -> Int32 {
    var invalid: Int32 = 0
    for j in 0..<n {
      let code = codes[j]
      let level = Int32(truncatingIfNeeded: code >> 1)
      invalid |= level > s ? 1 : 0
      // |Q| = ξ/s·σ ≤ σ: the min keeps rounding from passing σ (or overflowing).
      let magnitude = min(Float(level) * inverse * sigma, sigma)
      out[j] = Float(bitPattern: magnitude.bitPattern | code << 31)
    }
    return invalid
  }

  /// Packs codes with the width as a constant, so the word loop unrolls.
  @inline(__always)
  static func pack(_ codes: UnsafePointer<UInt32>, _ n: Int, width: Int, into packer: inout BitPacker) {
    switch width {
    case 2: packer.put(codes: codes, n, bits: 2)
    case 4: packer.put(codes: codes, n, bits: 4)
    case 8: packer.put(codes: codes, n, bits: 8)
    case 16: packer.put(codes: codes, n, bits: 16)
    default: packer.put(codes: codes, n, bits: width)
    }
  }

  /// Unpacks codes with the width as a constant, so the word loop unrolls.
  @inline(__always)
  static func unpack(_ codes: UnsafeMutablePointer<UInt32>, _ n: Int, width: Int, from reader: inout BitUnpacker) {
    switch width {
    case 2: reader.take(codes: codes, n, bits: 2)
    case 4: reader.take(codes: codes, n, bits: 4)
    case 8: reader.take(codes: codes, n, bits: 8)
    case 16: reader.take(codes: codes, n, bits: 16)
    default: reader.take(codes: codes, n, bits: width)
    }
  }

  /// Every bucket's scale as sent: the max-norm, or the ℓ2 norm rounded up to float32.
  ///
  /// With `checkingFinite` it throws ``HSQError/nonFinite(what:index:value:)`` for NaN or
  /// infinite entries (found in the same pass: their magnitude bits are ≥ 0x7F80_0000).
  func bucketScales(_ vp: UnsafeBufferPointer<Float>, checkingFinite: Bool) throws -> [Float] {
    let d = vp.count
    let b = bucketLength(d)
    let count = (d + b - 1) / b
    var scales = [Float](repeating: 0, count: count)
    for index in 0..<count {
      let slice = UnsafeBufferPointer(rebasing: vp[(index * b)..<min(index * b + b, d)])
      var largest: UInt32 = 0
      slice.withMemoryRebound(to: UInt32.self) { bits in
        for pattern in bits { largest = max(largest, pattern & 0x7FFF_FFFF) }
      }
      if largest >= 0x7F80_0000 {
        if checkingFinite { try Vec.requireFinite(Array(vp), what: "The input to 'qsgd'") }
        throw HSQError.invalidArgument("The input to 'qsgd' is not finite.")
      }
      switch norm {
      case .max:
        scales[index] = Float(bitPattern: largest)
      case .l2:
        let exact = Vec.squaredNorm(slice).squareRoot()
        var sigma = Float(exact)
        if Double(sigma) < exact { sigma = sigma.nextUp }
        guard sigma.isFinite else {
          throw HSQError.invalidArgument(
            "The ℓ2 norm of bucket \(index) of the input to 'qsgd' (\(exact)) exceeds the float32 range; use 'qsgd:norm=max' or scale the vector down.")
        }
        scales[index] = sigma
      }
    }
    return scales
  }
}
