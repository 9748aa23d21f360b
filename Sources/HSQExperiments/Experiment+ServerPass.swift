import HSQCompressors
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
    serverPass(layerMessages: messages.map { $0.map(LayerMessage.values) }, raw: raw, layers: layers, update: update)
  }

  /// ``serverPass(messages:raw:layers:update:)`` on messages of which a layer may be codeword rows in every
  /// worker's message: their mean is summed from the rows (``CodewordRows/addMean(of:scale:into:range:continuing:level:)``),
  /// the same bits as from the decoded vectors, with the lanes' element ranges cut at sub-vector boundaries.
  func serverPass(layerMessages messages: [[LayerMessage]], raw: [[[Float]]]?, layers: Int, update: Bool) -> (mean: [[Float]], rawMean: [[Float]]) {
    let scale = 1 / Float(messages.count)
    let rule = UpdateRule(self)
    // Every entry is written by the pass.
    var mean = pipeline.model.uninitializedParameters()
    var rawMean = raw == nil ? [] : pipeline.model.uninitializedParameters()
    for l in 0..<layers {
      let count = mean[l].count
      let rows = messages.compactMap { $0[l].rows }
      let values = rows.count == messages.count ? [] : messages.map { $0[l].values() }
      precondition(values.allSatisfy { $0.count == count } && rows.allSatisfy { $0.length == count } && (raw ?? []).allSatisfy { $0[l].count == count },
                   "server pass: a worker's message for layer \(l) does not have the layer's \(count) values")
      precondition(!update || (parameters[l].count == count && velocity[l].count == count),
                   "server pass: the parameters or velocity of layer \(l) do not have the layer's \(count) values")
      guard count > 0 else { continue }
      let lanes = max(1, min(threadCount, count / (1 << 14)))
      let alignment = values.isEmpty ? rows.first?.dim ?? 1 : 1
      mean[l].withUnsafeMutableBufferPointer { meanBuffer in
        Self.withBuffer(&rawMean, l, if: raw != nil) { rawMeanBuffer in
          // The update runs in the last group, so only when there is one.
          withUpdatedLayer(l, if: update && !messages.isEmpty) { x, v, xOut, vOut in
            for first in stride(from: 0, to: messages.count, by: Self.sourcesPerPass) {
              let group = first..<min(first + Self.sourcesPerPass, messages.count)
              withBaseAddresses(values.isEmpty ? [] : group.map { values[$0] }) { sources in
                withBaseAddresses(raw.map { raw in group.map { raw[$0][l] } } ?? []) { rawSources in
                  let pass = ServerLayerPass(
                    count: count, alignment: alignment, scale: scale, rule: rule,
                    sources: values.isEmpty ? .rows(Array(rows[group])) : .values(sources), rawSources: raw == nil ? nil : rawSources,
                    mean: meanBuffer.baseAddress!, rawMean: rawMeanBuffer, x: x, v: v, xOut: xOut, vOut: vOut,
                    continuing: first > 0, last: group.upperBound == messages.count)
                  LanePool.shared.run(lanes: lanes) { lane in pass.run(lane: lane, of: lanes) }
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
  /// Large layers are split into element ranges across `threads` lanes, which changes no bit.
  static func workerMean(_ vectors: [[[Float]]], threads: Int = 1) -> [[Float]] {
    guard let first = vectors.first else { return [] }
    let scale = 1 / Float(vectors.count)
    return first.indices.map { l in
      let count = first[l].count
      precondition(vectors.allSatisfy { $0[l].count == count }, "worker mean: the vectors' layer \(l) differ in length")
      let lanes = max(1, min(threads, count / (1 << 14)))
      return [Float](unsafeUninitializedCapacity: count) { out, initialized in
        for start in stride(from: 0, to: vectors.count, by: sourcesPerPass) where count > 0 {
          let group = start..<min(start + sourcesPerPass, vectors.count)
          withBaseAddresses(group.map { vectors[$0][l] }) { sources in
            let pass = MeanPass(sources: sources, scale: scale, out: out.baseAddress!, count: count, continuing: start > 0)
            LanePool.shared.run(lanes: lanes) { pass.run(lane: $0, of: lanes) }
          }
        }
        initialized = count
      }
    }
  }

  /// Calls `body` with layer `l`'s parameters and velocity to read and two new buffers of their length for the update
  /// to write, every entry (four `nil`s without `update`); the new buffers then become the layer's parameters and
  /// velocity. The old arrays are shared with the step's undo point: updating them in place would copy them first.
  private func withUpdatedLayer<R>(
    _ l: Int, if update: Bool,
    _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> R
  ) -> R {
    guard update else { return body(nil, nil, nil, nil) }
    let count = parameters[l].count
    var result: R?
    var newVelocity: [Float] = []
    let newParameters = parameters[l].withUnsafeBufferPointer { x in
      velocity[l].withUnsafeBufferPointer { v in
        [Float](unsafeUninitializedCapacity: count) { xOut, xWritten in
          newVelocity = [Float](unsafeUninitializedCapacity: count) { vOut, vWritten in
            result = body(x.baseAddress, v.baseAddress, xOut.baseAddress, vOut.baseAddress)
            vWritten = count
          }
          xWritten = count
        }
      }
    }
    parameters[l] = newParameters
    velocity[l] = newVelocity
    return result!
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

/// ``HSQCore/withBaseAddresses(_:_:)`` for the float arrays of a layer's messages, which are never empty where it is used.
func withBaseAddresses<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  HSQCore.withBaseAddresses(arrays) { (pointers: [UnsafePointer<Float>?]) in body(pointers.map { $0! }) }
}

/// One group's mean over one layer in ``Experiment/workerMean(_:threads:)``, handed to the lanes. Invariant (why it may
/// be `Sendable`): lane `i` of `n` writes only elements `count·i/n ..< count·(i+1)/n` of `out`.
private struct MeanPass: @unchecked Sendable {
  let sources: [UnsafePointer<Float>]
  let scale: Float
  let out: UnsafeMutablePointer<Float>
  let count: Int
  let continuing: Bool

  func run(lane: Int, of lanes: Int) {
    let range = (count * lane / lanes)..<(count * (lane + 1) / lanes)
    guard !range.isEmpty else { return }
    if continuing {
      Experiment.continueMean(of: sources, scale: scale, into: out, range: range)
    } else {
      Experiment.mean(of: sources, scale: scale, into: out, range: range)
    }
  }
}

/// One worker's message for one layer as the server holds it: the decoded values, or codeword rows not yet written out.
enum LayerMessage: Sendable {
  case values([Float])
  case rows(CodewordRows)

  /// The decoded values (the rows written out).
  func values() -> [Float] {
    switch self {
    case let .values(values): values
    case let .rows(rows): rows.values()
    }
  }

  var rows: CodewordRows? {
    if case let .rows(rows) = self { return rows }
    return nil
  }

  /// The decoded vector's length.
  var count: Int {
    switch self {
    case let .values(values): values.count
    case let .rows(rows): rows.length
    }
  }
}

/// One layer's buffers for one group of workers in the server pass, handed to the lanes.
///
/// Built inside the buffers' `withUnsafe…BufferPointer` calls and used only there. Invariant (why it
/// may be `Sendable`): lane `i` of `n` touches only elements ``range(lane:of:)`` of every buffer, which
/// do not overlap, so lanes never write the same element.
private struct ServerLayerPass: @unchecked Sendable {
  /// The workers' messages for the layer: pointers to their values, or their codeword rows.
  enum Sources {
    case values([UnsafePointer<Float>])
    case rows([CodewordRows])
  }

  let count: Int
  /// Lanes' ranges start at multiples of this (a sub-vector's dimension for rows).
  let alignment: Int
  let scale: Float
  let rule: UpdateRule
  let sources: Sources
  let rawSources: [UnsafePointer<Float>]?
  let mean: UnsafeMutablePointer<Float>
  let rawMean: UnsafeMutablePointer<Float>?
  /// The parameters and velocity the update reads, and where it writes them (every entry, in the last group).
  let x: UnsafePointer<Float>?
  let v: UnsafePointer<Float>?
  let xOut: UnsafeMutablePointer<Float>?
  let vOut: UnsafeMutablePointer<Float>?
  /// Whether earlier groups of workers have already summed into `mean` and `rawMean`.
  let continuing: Bool
  /// Whether this is the last group, after which the update runs.
  let last: Bool

  /// Lane `lane`'s elements: consecutive ranges covering 0..<count, each starting at a multiple of ``alignment``.
  func range(lane: Int, of lanes: Int) -> Range<Int> {
    func start(_ i: Int) -> Int { i == lanes ? count : (count * i / lanes) / alignment * alignment }
    return start(lane)..<start(lane + 1)
  }

  func run(lane: Int, of lanes: Int) {
    precondition((0..<lanes).contains(lane), "server pass: lane \(lane) of \(lanes)")
    let range = range(lane: lane, of: lanes)
    guard !range.isEmpty else { return }
    switch sources {
    case let .values(sources): sum(sources, into: mean, range)
    case let .rows(rows): CodewordRows.addMean(of: rows, scale: scale, into: mean, range: range, continuing: continuing)
    }
    if let rawSources, let rawMean { sum(rawSources, into: rawMean, range) }
    if last, let x, let v, let xOut, let vOut { rule.apply(UnsafePointer(mean), from: x, v, into: xOut, vOut, range) }
  }

  private func sum(_ sources: [UnsafePointer<Float>], into out: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    if continuing {
      Experiment.continueMean(of: sources, scale: scale, into: out, range: range)
    } else {
      Experiment.mean(of: sources, scale: scale, into: out, range: range)
    }
  }
}
