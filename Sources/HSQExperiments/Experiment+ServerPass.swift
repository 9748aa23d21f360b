import HSQCore

extension Experiment {
  /// Workers whose messages one lane pass reads together; bounds how deeply the buffers' closures nest.
  static let sourcesPerPass = 32

  /// The server's pass over the parameters: the mean of the workers' messages
  /// (and of their raw gradients, when given), and, with `update`, the SGD
  /// step with that mean, one pass over memory per layer.
  ///
  /// Element by element these are the same operations as N calls of
  /// `Vec.axpy(1/N, ·)` into zeros, in worker order, followed by
  /// ``applyUpdate(_:)``; the elements are split across the cores, and more
  /// than ``sourcesPerPass`` workers are summed in groups that continue the
  /// same sums, which changes nothing in the result. Every buffer's pointer
  /// lives only inside its `withUnsafe…BufferPointer` call, and every layer's
  /// lengths are checked before the pass touches it.
  func serverPass(messages: [[[Float]]], raw: [[[Float]]]?, layers: Int, update: Bool) -> (mean: [[Float]], rawMean: [[Float]]) {
    let scale = 1 / Float(messages.count)
    let rule = UpdateRule(self)
    // Every entry is written by the pass.
    var mean = pipeline.model.uninitializedParameters()
    var rawMean = raw == nil ? [] : pipeline.model.uninitializedParameters()
    for l in 0..<layers {
      let count = mean[l].count
      precondition(messages.allSatisfy { $0[l].count == count } && (raw ?? []).allSatisfy { $0[l].count == count },
                   "server pass: a worker's message for layer \(l) does not have the layer's \(count) values")
      precondition(!update || (parameters[l].count == count && velocity[l].count == count),
                   "server pass: the parameters or velocity of layer \(l) do not have the layer's \(count) values")
      guard count > 0 else { continue }
      let lanes = max(1, min(threadCount, count / (1 << 14)))
      mean[l].withUnsafeMutableBufferPointer { meanBuffer in
        Self.withBuffer(&rawMean, l, if: raw != nil) { rawMeanBuffer in
          Self.withBuffer(&parameters, l, if: update) { x in
            Self.withBuffer(&velocity, l, if: update) { v in
              for first in stride(from: 0, to: messages.count, by: Self.sourcesPerPass) {
                let group = first..<min(first + Self.sourcesPerPass, messages.count)
                withBaseAddresses(group.map { messages[$0][l] }) { sources in
                  withBaseAddresses(raw.map { raw in group.map { raw[$0][l] } } ?? []) { rawSources in
                    let pass = ServerLayerPass(
                      count: count, scale: scale, rule: rule, sources: sources, rawSources: raw == nil ? nil : rawSources,
                      mean: meanBuffer.baseAddress!, rawMean: rawMeanBuffer, x: x, v: v,
                      continuing: first > 0, last: group.upperBound == messages.count)
                    LanePool.shared.run(lanes: lanes) { lane in pass.run(lane: lane, of: lanes) }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (mean, rawMean)
  }

  /// The mean of `vectors` (one per worker, one array per layer), computed element by element as
  /// ``serverPass(messages:raw:layers:update:)`` computes its means: Σ_w (1/N)·v_w in worker order
  /// from +0, in groups of ``sourcesPerPass``. A worker process that served every participant of a
  /// round sends this instead of their raw gradients, and the record is the same bit for bit.
  static func workerMean(_ vectors: [[[Float]]]) -> [[Float]] {
    guard let first = vectors.first else { return [] }
    let scale = 1 / Float(vectors.count)
    return first.indices.map { l in
      let count = first[l].count
      precondition(vectors.allSatisfy { $0[l].count == count }, "worker mean: the vectors' layer \(l) differ in length")
      return [Float](unsafeUninitializedCapacity: count) { out, initialized in
        for start in stride(from: 0, to: vectors.count, by: sourcesPerPass) where count > 0 {
          let group = start..<min(start + sourcesPerPass, vectors.count)
          withBaseAddresses(group.map { vectors[$0][l] }) { sources in
            if start == 0 {
              mean(of: sources, scale: scale, into: out.baseAddress!, range: 0..<count)
            } else {
              continueMean(of: sources, scale: scale, into: out.baseAddress!, range: 0..<count)
            }
          }
        }
        initialized = count
      }
    }
  }

  /// Calls `body` with the base address of `arrays[l]`, or with `nil` when `use` is false.
  private static func withBuffer<R>(
    _ arrays: inout [[Float]], _ l: Int, if use: Bool, _ body: (UnsafeMutablePointer<Float>?) -> R
  ) -> R {
    guard use else { return body(nil) }
    return arrays[l].withUnsafeMutableBufferPointer { body($0.baseAddress) }
  }

  /// out[range] += Σ_w scale·sources[w][range] in source order: a group of sources after the first continues the sums of ``mean(of:scale:into:range:)``.
  static func continueMean(of sources: [UnsafePointer<Float>], scale: Float, into out: UnsafeMutablePointer<Float>, range: Range<Int>) {
    for block in stride(from: range.lowerBound, to: range.upperBound, by: 1024) {
      let end = min(block + 1024, range.upperBound)
      for source in sources {
        for i in block..<end { out[i] += scale * source[i] }
      }
    }
  }
}

/// Calls `body` with the base address of each array, nesting one `withUnsafeBufferPointer` per array (all alive for the call).
func withBaseAddresses<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  var pointers: [UnsafePointer<Float>] = []
  pointers.reserveCapacity(arrays.count)
  func nest(_ i: Int) -> R {
    guard i < arrays.count else { return body(pointers) }
    return arrays[i].withUnsafeBufferPointer { buffer in
      pointers.append(buffer.baseAddress!)
      return nest(i + 1)
    }
  }
  return nest(0)
}

/// One layer's buffers for one group of workers in the server pass, handed to the lanes.
///
/// Built inside the buffers' `withUnsafe…BufferPointer` calls and used only there. Invariant (why it
/// may be `Sendable`): lane `i` of `n` touches only elements `count·i/n ..< count·(i+1)/n` of every
/// buffer, so lanes never write the same element.
private struct ServerLayerPass: @unchecked Sendable {
  let count: Int
  let scale: Float
  let rule: UpdateRule
  let sources: [UnsafePointer<Float>]
  let rawSources: [UnsafePointer<Float>]?
  let mean: UnsafeMutablePointer<Float>
  let rawMean: UnsafeMutablePointer<Float>?
  let x: UnsafeMutablePointer<Float>?
  let v: UnsafeMutablePointer<Float>?
  /// Whether earlier groups of workers have already summed into `mean` and `rawMean`.
  let continuing: Bool
  /// Whether this is the last group, after which the update runs.
  let last: Bool

  func run(lane: Int, of lanes: Int) {
    precondition((0..<lanes).contains(lane), "server pass: lane \(lane) of \(lanes)")
    let range = (count * lane / lanes)..<(count * (lane + 1) / lanes)
    guard !range.isEmpty else { return }
    sum(sources, into: mean, range)
    if let rawSources, let rawMean { sum(rawSources, into: rawMean, range) }
    if last, let x, let v { rule.apply(UnsafePointer(mean), x, v, range) }
  }

  private func sum(_ sources: [UnsafePointer<Float>], into out: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    if continuing {
      Experiment.continueMean(of: sources, scale: scale, into: out, range: range)
    } else {
      Experiment.mean(of: sources, scale: scale, into: out, range: range)
    }
  }
}
