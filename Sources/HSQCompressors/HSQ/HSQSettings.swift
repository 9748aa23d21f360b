import HSQCodebooks
import HSQCore

/// The parameters the HSQ compressors share: sub-vector dimension, codebook and scalar bits.
struct HSQSettings: Sendable {
  let dim: Int
  let codebook: Codebook
  let scalars: ScalarQuantizer

  /// Declarations shared by `hsq`, `hsq-unbiased` and `hsq-residual`.
  static func parameters(normBits: Int, codebook: String) -> [ParameterSpec] {
    [
      .int("dim", 1...1024, default: 16, doc: "D, the sub-vector dimension; the last sub-vector is zero-padded when D does not divide d."),
      .int("k", 1...65536, default: 256, auto: true, doc: "K, the number of codewords; an index costs ⌈log₂K⌉ bits. auto: K = min(1024, 2^⌈log₂ 16D⌉), 16 codewords a dimension (D = 16 gives the paper's K = 256), at most 1024."),
      .string("codebook", default: codebook, doc: "The codebook construction (see 'list codebooks'), e.g. kmeans, gaussian, orthogonal, hadamard."),
      .int("seed", 0...Int(Int32.max), default: 0, doc: "Seed of the codebook; both ends build the same codebook from it."),
      .int("norm-bits", 1...32, default: normBits, doc: "n, bits of the stochastic scalar quantizer (n + 1 bits a scalar for 2ⁿ + 1 levels), or 32 for float32."),
      .path("codebook-path", required: false, doc: "A codebook file (.fvecs or .npy, K rows of D values) to use instead of a construction."),
    ]
  }

  /// The most codewords `k=auto` gives: 1024, the largest D, so K ≥ D (the unbiased variant needs it) for every D.
  static let automaticKLimit = 1024

  /// K for `k=auto` at sub-vector dimension `dim`: min(1024, 2^⌈log₂ 16D⌉).
  ///
  /// Sixteen codewords a dimension is the paper's D = 16, K = 256 point; rounding up to a power of two
  /// uses every index value of ⌈log₂K⌉ bits; the cap keeps the codebook (D·K floats) and the nearest
  /// codeword search (D·K multiply-adds a sub-vector) bounded, so a sweep over D is one grid.
  static func automaticK(dim: Int) -> Int {
    var k = 1
    while k < 16 * dim, k < automaticKLimit { k *= 2 }
    return k
  }

  /// `p` with `k=auto` replaced by the K it stands for (``automaticK(dim:)``); other values as they are.
  static func resolvingAuto(_ p: ParameterValues) -> ParameterValues {
    p.isAuto("k") ? p.setting("k", to: .int(automaticK(dim: p.int("dim")))) : p
  }

  /// Throws unless `bits` is a width ``ScalarQuantizer`` has (1...16, or 32 for float32), naming `parameter` of `component`.
  static func requireScalarBits(_ bits: Int, component: String, parameter: String) throws {
    guard bits <= 16 || bits == 32 else {
      throw HSQError.invalidParameter(
        component: component, parameter: parameter, problem: "\(bits) is not supported; give 1...16, or 32 for float32 scalars.")
    }
  }

  init(_ p: ParameterValues) throws {
    let p = Self.resolvingAuto(p)
    let bits = p.int("norm-bits")
    try Self.requireScalarBits(bits, component: p.component, parameter: "norm-bits")
    dim = p.int("dim")
    let k = p.int("k")
    if let path = p.optionalString("codebook-path") {
      codebook = try Codebooks.make("file:path=\(path),dim=\(dim),k=\(k)")
    } else {
      let construction = p.string("codebook")
      // hsq gives the construction its dim, k and seed: a spec with parameters of its own would be read wrongly.
      guard !construction.contains(":") else {
        throw HSQError.invalidParameter(
          component: p.component, parameter: "codebook",
          problem: "'\(construction)' is not a construction name; give one such as kmeans or gaussian (dim, k and seed are \(p.component)'s), or a file as codebook-path=FILE.")
      }
      codebook = try Codebooks.make("\(construction):dim=\(dim),k=\(k),seed=\(p.int("seed"))")
    }
    scalars = ScalarQuantizer(bits: bits)
  }

  /// Settings for an explicit codebook (sub-vector dimension D = the codebook's).
  init(codebook: Codebook, normBits: Int) {
    dim = codebook.dim
    self.codebook = codebook
    scalars = ScalarQuantizer(bits: normBits)
  }

  /// The canonical spelling of `p`; with `codebook-path` the construction and its seed, which the file overrides,
  /// are left out (`describe` would otherwise show `codebook=gaussian,seed=0` for a file's codebook).
  static func canonical(_ p: ParameterValues) -> String {
    let p = resolvingAuto(p)
    return p.optionalString("codebook-path") == nil ? p.canonical : p.removing(["codebook", "seed"]).canonical
  }

  /// The canonical spelling for an explicit codebook.
  func spec(_ name: String) -> String {
    "\(name):dim=\(dim),k=\(codebook.count),codebook=\(codebook.name),norm-bits=\(scalars.bits)"
  }

  /// Bits for a vector of length d: M(⌈log₂K⌉ + bits a scalar) + the scalar header.
  func bits(length d: Int) -> Int {
    let m = SubvectorLayout(length: d, dim: dim).count
    return m * bitsToIndex(codebook.count) + scalars.totalBits(count: m)
  }

  var bitsFormula: String {
    let scalar = scalars.isExact ? "32" : "\(scalars.bits + 1)"
    let header = scalars.isExact ? "" : " + 64"
    return "⌈d/\(dim)⌉·(\(bitsToIndex(codebook.count)) + \(scalar))\(header)"
  }
}
