import HSQCore

/// A valid 2-D convolution, ReLU and 2×2 max-pooling, as im2col plus one `sgemm`.
///
/// ```
/// input  x: c × h × w per example (channels first)
/// cols:  one row per output pixel (oy, ox), c·k·k values (ci, ky, kx):  x[ci, oy+ky, ox+kx]
/// conv:  Y = relu(cols · W + 1bᵀ),  W is (c·k·k) × C,  Y is (n·oh·ow) × C,  oh = h − k + 1
/// pool:  P[py, px, ch] = max_{dy,dx ∈ {0,1}} Y[2py+dy, 2px+dx, ch]   (first maximum; odd edges dropped)
/// back:  ∂Y routed to each window's maximum (zero where Y = 0),  ∂W = colsᵀ∂Y,  ∂b = ∂Yᵀ1
/// ```
///
/// The pooled features are `ph × pw × C` per example (channels last), the
/// input of the dense layers that follow. Layers: `conv.weight`
/// `[c, k, k, C]` and `conv.bias` `[C]`, at the front of the model's list.
struct ConvolutionStage: Sendable, Hashable {
  let channelsIn: Int
  let height: Int
  let width: Int
  let kernel: Int
  let channels: Int

  var outHeight: Int { height - kernel + 1 }
  var outWidth: Int { width - kernel + 1 }
  var pixels: Int { outHeight * outWidth }
  var patch: Int { channelsIn * kernel * kernel }
  var pooledHeight: Int { outHeight / 2 }
  var pooledWidth: Int { outWidth / 2 }
  /// Features per example after pooling.
  var outputCount: Int { pooledHeight * pooledWidth * channels }

  var layers: [LayerInfo] {
    [LayerInfo(name: "conv.weight", shape: [channelsIn, kernel, kernel, channels]),
     LayerInfo(name: "conv.bias", shape: [channels])]
  }

  /// Appends He-initialized weights `N(0, 2/(c·k·k))` and zero biases.
  func appendInitial(to parameters: inout [[Float]], rng: inout RandomStream) {
    let std = (2 / Double(patch)).squareRoot()
    parameters.append((0..<(patch * channels)).map { _ in Float(rng.gaussian() * std) })
    parameters.append([Float](repeating: 0, count: channels))
  }

  /// The pooled features (`rows × outputCount`), in `workspace`.
  func forward(_ parameters: [[Float]], x: UnsafePointer<Float>, rows n: Int, workspace: Workspace) -> UnsafeMutablePointer<Float> {
    let (oh, ow, k, cin) = (outHeight, outWidth, kernel, channelsIn)
    let cols = workspace.buffer(WorkspaceSlot.im2col, count: n * pixels * patch)
    for image in 0..<n {
      let source = x + image * cin * height * width
      for oy in 0..<oh {
        for ox in 0..<ow {
          var destination = cols + ((image * oh + oy) * ow + ox) * patch
          for c in 0..<cin {
            for ky in 0..<k {
              destination.update(from: source + (c * height + oy + ky) * width + ox, count: k)
              destination += k
            }
          }
        }
      }
    }
    let conv = workspace.buffer(WorkspaceSlot.convOut, count: n * pixels * channels)
    parameters[0].withUnsafeBufferPointer { w in
      BLAS.gemm(m: n * pixels, n: channels, k: patch, cols, lda: patch, w.baseAddress!, ldb: channels, beta: 0, conv, ldc: channels)
    }
    parameters[1].withUnsafeBufferPointer { BLAS.addToRows($0.baseAddress!, conv, rows: n * pixels, columns: channels) }
    Activation.relu.apply(conv, count: n * pixels * channels)
    let pooled = workspace.buffer(WorkspaceSlot.pooled, count: n * outputCount)
    let (o1, o2, o3) = windowOffsets
    forEachWindow(rows: n) { cell, first in
      let (a0, a1, a2, a3) = (conv + first, conv + first + o1, conv + first + o2, conv + first + o3)
      let p = pooled + cell
      var ch = 0
      while ch + 8 <= channels {
        let top = lanesMax(lanesMax(load(a0 + ch), load(a1 + ch)), lanesMax(load(a2 + ch), load(a3 + ch)))
        store(top, p + ch)
        ch += 8
      }
      for ch in ch..<channels { p[ch] = max(max(a0[ch], a1[ch]), max(a2[ch], a3[ch])) }
    }
    return pooled
  }

  /// Back-propagates `pooledDelta` (`rows × outputCount`) after ``forward(_:x:rows:workspace:)``, writing
  /// the gradients of `conv.weight` and `conv.bias`.
  func backward(rows n: Int, pooledDelta: UnsafePointer<Float>, into gradient: inout [[Float]], workspace: Workspace) {
    let conv = workspace.buffer(WorkspaceSlot.convOut, count: n * pixels * channels)
    let cols = workspace.buffer(WorkspaceSlot.im2col, count: n * pixels * patch)
    let delta = workspace.buffer(WorkspaceSlot.convDelta, count: n * pixels * channels)
    if outHeight % 2 == 1 || outWidth % 2 == 1 {  // the dropped edge gets no gradient
      delta.update(repeating: 0, count: n * pixels * channels)
    }
    let pooled = UnsafePointer(workspace.buffer(WorkspaceSlot.pooled, count: n * outputCount))
    unpool(rows: n, pooledDelta: pooledDelta, pooled: pooled, conv: conv, into: delta)
    gradient[0].withUnsafeMutableBufferPointer { g in
      BLAS.gemm(transposeA: true, m: patch, n: channels, k: n * pixels, cols, lda: patch, delta, ldb: channels, beta: 0, g.baseAddress!, ldc: channels)
    }
    gradient[1].withUnsafeMutableBufferPointer { BLAS.columnSums(delta, rows: n * pixels, columns: channels, into: $0.baseAddress!) }
  }

  /// Routes `pooledDelta` back through the 2×2 max-pool: each window's first arg-max in `conv` (the
  /// pre-pool values) gets its pooled delta in `delta`, the other three positions 0.
  private func unpool(rows n: Int, pooledDelta: UnsafePointer<Float>, pooled: UnsafePointer<Float>,
                      conv: UnsafeMutablePointer<Float>, into delta: UnsafeMutablePointer<Float>) {
    let (o1, o2, o3) = windowOffsets
    forEachWindow(rows: n) { cell, first in
      // Branch-free first arg-max, as in forward: every window position gets its value (mostly 0).
      let (a0, a1, a2) = (conv + first, conv + first + o1, conv + first + o2)
      let (d0, d1, d2, d3) = (delta + first, delta + first + o1, delta + first + o2, delta + first + o3)
      let (m, g) = (pooled + cell, pooledDelta + cell)
      var ch = 0
      while ch + 8 <= channels {  // eight channels at a time, with masks instead of branches
        let top = load(m + ch)
        let value = Lanes().replacing(with: load(g + ch), where: top .> 0)
        let t0 = load(a0 + ch) .== top
        let t1 = .!t0 .& (load(a1 + ch) .== top)
        let t2 = .!(t0 .| t1) .& (load(a2 + ch) .== top)
        store(Lanes().replacing(with: value, where: t0), d0 + ch)
        store(Lanes().replacing(with: value, where: t1), d1 + ch)
        store(Lanes().replacing(with: value, where: t2), d2 + ch)
        store(value.replacing(with: 0, where: t0 .| t1 .| t2), d3 + ch)
        ch += 8
      }
      for ch in ch..<channels {
        let top = m[ch]
        let value = top > 0 ? g[ch] : 0
        let t0 = a0[ch] == top
        let t1 = !t0 && a1[ch] == top
        let t2 = !t0 && !t1 && a2[ch] == top
        d0[ch] = t0 ? value : 0
        d1[ch] = t1 ? value : 0
        d2[ch] = t2 ? value : 0
        d3[ch] = t0 || t1 || t2 ? 0 : value
      }
    }
  }

  /// Offsets of a 2×2 window's other three values from its top-left one, in scan order.
  private var windowOffsets: (Int, Int, Int) { (channels, outWidth * channels, (outWidth + 1) * channels) }

  /// Calls `body(pooledIndex, topLeftConvIndex)` for every pooled position (its `channels` values follow).
  @inline(__always)
  private func forEachWindow(rows n: Int, _ body: (Int, Int) -> Void) {
    let (ph, pw, ow, c) = (pooledHeight, pooledWidth, outWidth, channels)
    for image in 0..<n {
      for py in 0..<ph {
        for px in 0..<pw {
          body(((image * ph + py) * pw + px) * c, ((image * outHeight + 2 * py) * ow + 2 * px) * c)
        }
      }
    }
  }
}

typealias Lanes = SIMD8<Float>

/// max(a, b) per lane (the standard `pointwiseMax` is not specialized and is 10× slower here).
@inline(__always)
private func lanesMax(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .> a) }

@inline(__always)
private func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

@inline(__always)
private func load(_ p: UnsafeMutablePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

@inline(__always)
private func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }
