import CKernels
import HSQCore

// fp16's bulk conversions: the F16C / AVX-512F kernels of half.c where the CPU has them, else the
// Swift loops they are checked against bit for bit (KernelLevelTests).
extension FP16Compressor {
  /// out[i] = Float16(v[i]·scale) as bit patterns; `scale` is 1 or a normal power of two, so the
  /// product is exact unless it falls below 2⁻¹²⁶ (rounded once in Float, the same on every path).
  static func halves(
    _ v: UnsafeBufferPointer<Float>, scale: Float, into out: UnsafeMutablePointer<UInt16>,
    level: hsq_kernel_level = HSQ_KERNELS_AUTO
  ) {
    guard let base = v.baseAddress, !v.isEmpty else { return }
    if hsq_float_to_half(base, Int64(v.count), scale, out, level) == 1 { return }
    for i in 0..<v.count { out[i] = Float16(v[i] * scale).bitPattern }
  }

  /// out[i] = Float(Double(h[i])·scale), saturated to the Float32 range; returns false when some
  /// half is infinite or NaN (a malformed payload).
  static func floats(
    fromHalves h: UnsafePointer<UInt16>, _ n: Int, scale: Double, into out: UnsafeMutablePointer<Float>,
    level: hsq_kernel_level = HSQ_KERNELS_AUTO
  ) -> Bool {
    guard n > 0 else { return true }
    var nonfinite: Int32 = 0
    if hsq_half_to_float(h, Int64(n), scale, out, &nonfinite, level) == 1 { return nonfinite == 0 }
    var bad = false
    for i in 0..<n {
      let half = Float16(bitPattern: h[i])
      bad = bad || !half.isFinite
      out[i] = saturated(Double(half) * scale)
    }
    return !bad
  }

  /// The payload bytes: an optional 16-bit header, then one little-endian half per entry
  /// (the layout of 16-bit fields packed least significant bit first).
  static func payload(header: UInt16?, count d: Int, _ fill: (UnsafeMutablePointer<UInt16>) throws -> Void) rethrows -> Payload {
    let offset = header == nil ? 0 : 1
    // One spare half, so that the buffer is never empty.
    var words = [UInt16](repeating: 0, count: d + offset + 1)
    try words.withUnsafeMutableBufferPointer { buffer in
      if let header { buffer[0] = header }
      try fill(buffer.baseAddress! + offset)
      for i in buffer.indices { buffer[i] = buffer[i].littleEndian }
    }
    let bytes = words.withUnsafeBytes { [UInt8]($0.prefix(2 * (d + offset))) }
    return Payload(bytes: bytes, bitCount: 16 * (d + offset))
  }

  /// The halves of a payload whose bit count is already checked, after `skip` header halves.
  static func withHalves<R>(_ payload: Payload, skip: Int, _ body: (UnsafePointer<UInt16>) throws -> R) rethrows -> R {
    // One spare half, so that the buffer is never empty.
    var words = [UInt16](repeating: 0, count: payload.bytes.count / 2 + 1)
    words.withUnsafeMutableBytes { raw in payload.bytes.withUnsafeBytes { raw.copyMemory(from: $0) } }
    for i in words.indices { words[i] = UInt16(littleEndian: words[i]) }
    return try words.withUnsafeBufferPointer { try body($0.baseAddress! + skip) }
  }
}
