import CKernels
import HSQCore

// QSGD's hot loops around its C kernels (hsq_qsgd_codes, hsq_qsgd_values, hsq_bucket_magnitude_bits):
// the scales, and the packing of the codes with the width as a constant.
extension QSGDCompressor {
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
    var magnitudes = [UInt32](repeating: 0, count: count)
    if let base = vp.baseAddress { hsq_bucket_magnitude_bits(base, Int64(d), Int64(b), &magnitudes, level) }
    var scales = [Float](repeating: 0, count: count)
    for index in 0..<count {
      let slice = UnsafeBufferPointer(rebasing: vp[(index * b)..<min(index * b + b, d)])
      let largest = magnitudes[index]
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
