import HSQCodebooks
import HSQCore

/// Nearest-neighbour Hyper-Sphere Quantization: each sub-vector becomes one codeword index and one scalar.
///
/// ```
/// g is cut into M = ⌈d/D⌉ sub-vectors v (the last zero-padded)
/// k = argmaxⱼ |⟨cⱼ, v⟩|,  u = ⟨c_k, v⟩,  Q(v) = u'·c_k
/// ```
/// where u' is u after the n-bit stochastic scalar quantizer of the layer
/// (or u itself with `norm-bits=32`). This is the variant the HSQ authors ran
/// (Dai et al. 2019; their `NearestNeighborCompressor`).
///
/// **Properties:** biased; ‖Q(v) − v‖² = (1 − cos²θ)‖v‖² ≤ (1 − δ(C))‖v‖² for
/// float32 scalars, plus Δ²Σp(1 − p) from scalar rounding (THEORY.md §3–4);
/// M(⌈log₂K⌉ + n + 1) + 64 bits. The declared δ is the rigorous lower bound
/// σ_min(C)²/K, so the bound always holds.
public struct HSQCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "hsq",
    parameters: HSQSettings.parameters(normBits: 6, codebook: "kmeans"))

  let settings: HSQSettings
  let search: NearestCodewords
  /// δ(C) ≥ σ_min(C)²/K, the contraction the codebook guarantees.
  public let deltaLowerBound: Double
  public let spec: String

  public init(_ parameters: ParameterValues) throws {
    settings = try HSQSettings(parameters)
    search = NearestCodewords(settings.codebook)
    deltaLowerBound = CodebookBounds.deltaLowerBound(settings.codebook)
    spec = HSQSettings.canonical(parameters)
  }

  /// Nearest-neighbour HSQ with an explicit codebook (e.g. one read from a .fvecs file).
  ///
  /// - Parameters:
  ///   - codebook: K unit codewords of dimension D = the sub-vector dimension.
  ///   - normBits: 1...16, or 32 for float32 scalars.
  public init(codebook: Codebook, normBits: Int = 6) {
    settings = HSQSettings(codebook: codebook, normBits: normBits)
    search = NearestCodewords(codebook)
    deltaLowerBound = CodebookBounds.deltaLowerBound(codebook)
    spec = settings.spec("hsq")
  }

  public var codebook: Codebook { settings.codebook }

  public var properties: CompressorProperties {
    .init(isUnbiased: false, isFixedSize: true, isDeterministic: settings.scalars.isExact)
  }

  /// δ(C) for float32 scalars; with n-bit scalars δ(C) − M/4ⁿ (the rounding adds at most M‖g‖²/4ⁿ), or none.
  public func guarantee(length d: Int) -> Guarantee {
    let m = Double(SubvectorLayout(length: d, dim: settings.dim).count)
    let delta = settings.scalars.isExact ? deltaLowerBound : deltaLowerBound - m / Double(1 << (2 * settings.scalars.bits))
    return delta > 0 ? .contraction(delta: delta) : .none
  }

  public func bits(length d: Int) -> Int? { settings.bits(length: d) }
  public var bitsFormula: String { settings.bitsFormula }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    let (indices, dots) = try nearest(v)
    return write(indices: indices, scalars: dots, settings: settings, rng: &rng).payload
  }

  /// Every sub-vector's nearest codeword k and its u = ⟨c_k, v⟩.
  func nearest(_ v: [Float]) throws -> (indices: [Int32], dots: [Float]) {
    try Vec.requireFinite(v, what: "The input to 'hsq'")
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    return v.withUnsafeBufferPointer { search.search($0, layout: layout) }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try rows(payload, length: d).values()
  }

  /// Σₘ(‖vₘ‖² − uₘ²) + Δ²Σp(1 − p): exact over the scalar rounding.
  ///
  /// When D does not divide d the decoder drops the padding, and with it the
  /// error there, (u'²)‖c_k restricted to the padding‖²; that part is subtracted.
  public func expectedError(_ v: [Float]) -> Double? {
    guard !v.isEmpty else { return 0 }
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    let (indices, dots) = v.withUnsafeBufferPointer { search.search($0, layout: layout) }
    let variances = dots.withUnsafeBufferPointer { settings.scalars.variances($0) }
    var error = Vec.squaredNorm(v)
    for m in 0..<dots.count { error += variances[m] - Double(dots[m]) * Double(dots[m]) }
    if layout.tailLength > 0 {
      let m = layout.count - 1
      let u = Double(dots[m])
      error -= (u * u + variances[m]) * settings.codebook.paddingEnergy(Int(indices[m]), realLength: layout.tailLength)
    }
    return max(0, error)
  }

  /// (1 − δ)‖v‖² + MΔ²/4 with δ the rigorous lower bound.
  public func errorBound(_ v: [Float]) -> Double? {
    guard !v.isEmpty else { return 0 }
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    let dots = v.withUnsafeBufferPointer { search.search($0, layout: layout).dots }
    let rounding = dots.withUnsafeBufferPointer { settings.scalars.varianceBound($0) }
    return (1 - deltaLowerBound) * Vec.squaredNorm(v) + rounding
  }
}

extension HSQCompressor: RowDecoding {
  public func rows(_ payload: Payload, length d: Int) throws -> CodewordRows {
    try settings.rows(payload, length: d, spec: spec)
  }

  public func encodeRows(_ v: [Float], rng: inout RandomStream) throws -> (payload: Payload, rows: CodewordRows) {
    let (indices, dots) = try nearest(v)
    return writeRows(indices: indices, scalars: dots, length: v.count, settings: settings, rng: &rng)
  }
}

extension HSQSettings {
  /// The (index, scalar) pairs every HSQ compressor with one codeword a sub-vector writes, as codeword rows;
  /// `spec` names the compressor in the error a payload of the wrong size gets.
  func rows(_ payload: Payload, length d: Int, spec: String) throws -> CodewordRows {
    try requireBits(payload, bits(length: d), spec, length: d)
    var reader = BitReader(payload)
    let (indices, scalars) = try readSubvectors(&reader, count: SubvectorLayout(length: d, dim: dim).count, settings: self)
    return CodewordRows(codebook: codebook, length: d, indices: indices, scalars: scalars)
  }
}

/// Reads M (index, scalar) pairs as written by the HSQ compressors.
func readSubvectors(_ reader: inout BitReader, count: Int, settings: HSQSettings) throws -> (indices: [Int32], scalars: [Float]) {
  let (lo, delta) = try settings.scalars.readHeader(&reader, count: count)
  guard count > 0 else {
    try reader.finish()
    return ([], [])
  }
  // The read writes every pair, or throws before writing any (the arrays are then dropped).
  var levels: [UInt32] = []
  let indices = try [Int32](unsafeUninitializedCapacity: count) { k, indicesWritten in
    levels = try [UInt32](unsafeUninitializedCapacity: count) { level, levelsWritten in
      try k.withMemoryRebound(to: UInt32.self) { k in
        try reader.read(
          pairs: count, bits: bitsToIndex(settings.codebook.count), into: k.baseAddress!,
          bits: settings.scalars.bitsPerScalar, into: level.baseAddress!)
      }
      levelsWritten = count
    }
    indicesWritten = count
  }
  try reader.finish()
  let codewords = UInt32(settings.codebook.count)
  let maxLevel = settings.scalars.isExact ? UInt32.max : UInt32(1 << settings.scalars.bits)
  // The largest index and level in one pass (a loop the compiler vectorizes); the first offender is named only
  // when there is one, by the pass in order that the message has always come from.
  let (largestIndex, largestLevel) = indices.withUnsafeBufferPointer { k in
    levels.withUnsafeBufferPointer { level in
      var largest: (index: UInt32, level: UInt32) = (0, 0)
      for m in 0..<count { largest = (max(largest.index, UInt32(bitPattern: k[m])), max(largest.level, level[m])) }
      return largest
    }
  }
  if largestIndex >= codewords || largestLevel > maxLevel {
    for m in 0..<count {
      let k = UInt32(bitPattern: indices[m])
      guard k < codewords else {
        throw HSQError.malformedPayload("codeword index \(k) is out of range for K = \(codewords).")
      }
      guard levels[m] <= maxLevel else {
        throw HSQError.malformedPayload("scalar level \(levels[m]) is above 2ⁿ = \(maxLevel).")
      }
    }
  }
  return (indices, settings.scalars.values(levels: levels, lo: lo, delta: delta))
}
