import HSQCore

/// Fully connected layers `x → W₁ → act → … → act → W_L` (no activation after the last), on OpenBLAS.
///
/// ```
/// forward:   A₀ = X,  Zₗ = Aₗ₋₁Wₗ + 1bₗᵀ,  Aₗ = act(Zₗ) (l < L),  scores = Z_L
/// backward:  Δ_L = ∂f/∂Z_L,  ∂f/∂Wₗ = Aₗ₋₁ᵀΔₗ,  ∂f/∂bₗ = Δₗᵀ1,
///            Δₗ₋₁ = (ΔₗWₗᵀ) ⊙ act′(Aₗ₋₁)
/// ```
///
/// Weights are `in × out`, row-major (`x·W`, as the NumPy peer; PyTorch
/// stores the transpose). Each product is one `cblas_sgemm`; activations and
/// deltas live in the caller's ``Workspace``. Parameters start at index
/// ``firstParameter`` of the model's layer list (a convolution may come first).
struct DenseStack: Sendable, Hashable {
  /// Widths `[in, h₁, …, out]`.
  let sizes: [Int]
  let activation: Activation
  let hasBias: Bool
  /// Layer name prefixes, one per product (`fc1`, `fc2`, … or `linear`).
  let names: [String]
  let firstParameter: Int

  init(sizes: [Int], activation: Activation, hasBias: Bool = true, names: [String]? = nil, firstParameter: Int = 0) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "a dense stack needs positive widths")
    self.sizes = sizes
    self.activation = activation
    self.hasBias = hasBias
    self.names = names ?? (sizes.count == 2 ? ["fc"] : (1..<sizes.count).map { "fc\($0)" })
    self.firstParameter = firstParameter
  }

  /// Number of products (weight matrices).
  var depth: Int { sizes.count - 1 }

  /// Workspace floats per example: every layer's output, and two deltas of the widest layer.
  var workspaceFloatsPerExample: Int { sizes.dropFirst().reduce(0, +) + 2 * (sizes.max() ?? 0) }

  var layers: [LayerInfo] {
    (0..<depth).flatMap { l -> [LayerInfo] in
      let w = LayerInfo(name: "\(names[l]).weight", shape: [sizes[l], sizes[l + 1]])
      return hasBias ? [w, LayerInfo(name: "\(names[l]).bias", shape: [sizes[l + 1]])] : [w]
    }
  }

  func weightIndex(_ l: Int) -> Int { firstParameter + l * (hasBias ? 2 : 1) }

  /// Weight initialization schemes.
  enum Initialization: String, Sendable, Hashable {
    /// All zeros (convex models: a fixed, seed-free start).
    case zero
    /// `N(0, 2/fan_in)` (He et al. 2015), for relu.
    case he
    /// `N(0, 2/(fan_in + fan_out))` (Glorot & Bengio 2010), for tanh and sigmoid.
    case xavier
  }

  /// Appends this stack's initial weights and (zero) biases to `parameters`, drawing from `rng` in layer order.
  func appendInitial(to parameters: inout [[Float]], scheme: Initialization, rng: inout RandomStream) {
    for l in 0..<depth {
      let fanIn = sizes[l], fanOut = sizes[l + 1]
      let variance: Double
      switch scheme {
      case .zero: variance = 0
      case .he: variance = 2 / Double(fanIn)
      case .xavier: variance = 2 / Double(fanIn + fanOut)
      }
      let std = variance.squareRoot()
      var w = [Float](repeating: 0, count: fanIn * fanOut)
      if std > 0 { for i in w.indices { w[i] = Float(rng.gaussian() * std) } }
      parameters.append(w)
      if hasBias { parameters.append([Float](repeating: 0, count: fanOut)) }
    }
  }

  /// The scores `Z_L` (`rows × out`) for the `rows × in` inputs `x`; they live in `workspace`.
  func forward(
    _ parameters: [[Float]], x: UnsafePointer<Float>, rows n: Int, workspace: Workspace
  ) -> UnsafeMutablePointer<Float> {
    var input = x
    var output = x
    for l in 0..<depth {
      let k = sizes[l], m = sizes[l + 1]
      let out = workspace.buffer(WorkspaceSlot.dense + l + 1, count: n * m)
      let wi = weightIndex(l)
      parameters[wi].withUnsafeBufferPointer { w in
        BLAS.gemm(m: n, n: m, k: k, input, lda: k, w.baseAddress!, ldb: m, beta: 0, out, ldc: m)
      }
      if hasBias {
        parameters[wi + 1].withUnsafeBufferPointer { BLAS.addToRows($0.baseAddress!, out, rows: n, columns: m) }
      }
      if l < depth - 1 { activation.apply(out, count: n * m) }
      input = UnsafePointer(out)
      output = input
    }
    return UnsafeMutablePointer(mutating: output)
  }

  /// Back-propagates `delta = ∂f/∂Z_L` (`rows × out`, overwritten) after ``forward(_:x:rows:workspace:)``
  /// on the same inputs and workspace, writing this stack's gradients into `gradient` and, when
  /// `inputGradient` is given, `∂f/∂x` (`rows × in`) into it.
  func backward(
    _ parameters: [[Float]], x: UnsafePointer<Float>, rows n: Int, delta: UnsafeMutablePointer<Float>,
    into gradient: inout [[Float]], inputGradient: UnsafeMutablePointer<Float>?, workspace: Workspace
  ) {
    var d = delta
    for l in stride(from: depth - 1, through: 0, by: -1) {
      let k = sizes[l], m = sizes[l + 1]
      let input = l == 0 ? x : UnsafePointer(workspace.buffer(WorkspaceSlot.dense + l, count: n * k))
      let wi = weightIndex(l)
      let current = d
      gradient[wi].withUnsafeMutableBufferPointer { g in
        BLAS.gemm(transposeA: true, m: k, n: m, k: n, input, lda: k, current, ldb: m, beta: 0, g.baseAddress!, ldc: m)
      }
      if hasBias {
        gradient[wi + 1].withUnsafeMutableBufferPointer { BLAS.columnSums(current, rows: n, columns: m, into: $0.baseAddress!) }
      }
      guard l > 0 || inputGradient != nil else { break }
      let previous = l > 0 ? workspace.buffer(WorkspaceSlot.denseDelta + l % 2, count: n * k) : inputGradient!
      parameters[wi].withUnsafeBufferPointer { w in
        BLAS.gemm(transposeB: true, m: n, n: k, k: m, current, lda: m, w.baseAddress!, ldb: m, beta: 0, previous, ldc: k)
      }
      if l > 0 { activation.backward(previous, activations: input, count: n * k) }
      d = previous
    }
  }
}
