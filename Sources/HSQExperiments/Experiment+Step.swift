import CKernels
import Dispatch
import HSQCompressors
import HSQCore
import HSQModels

extension Experiment {
  /// A loss this many times the first step's loss counts as divergence.
  public static let divergenceFactor = 1e3

  /// Advances the experiment by one round and returns its record.
  ///
  /// Workers run concurrently; the server reduces their messages in worker
  /// order. The step is all or nothing: when it fails nothing changes. A loss
  /// that is NaN/Inf or blows up is measured on the parameters the previous
  /// step's update produced, so ``ExperimentStop/diverged(_:)`` also undoes
  /// that step when its starting state is kept, and says at which step the
  /// state is.
  ///
  /// Kept in one piece: it is the step's transaction, and what it does in order — the round, the
  /// divergence checks, the undo point, the server's ``apply(_:request:loss:counters:)``, then commit or
  /// roll back — is what makes the step all or nothing; the work itself is already in `apply` and the backend.
  @discardableResult
  public func step() throws -> StepRecord {
    let t = stepCount
    stepStarted = DispatchTime.now().uptimeNanoseconds
    let participants = sampleParticipants(step: t)
    let counters = try countersAfterStep(participants: participants.count)
    // With a lossless uplink and no error feedback the aggregate is the raw mean: no diagnostics frame needed;
    // nor is one when the record does not keep ‖ḡ‖.
    let lossless = pipeline.uplink.isLossless && !config.errorFeedback
    let request = RoundRequest(
      step: t, participants: participants, parameters: parameters, lr: currentLearningRate, efScale: currentEFScale,
      sendsRaw: !lossless && config.tracksGradientNorm)
    // The round gives every worker without one a zero memory under error feedback, even when it fails.
    if config.errorFeedback { memoriesExist = true }
    let replies: [WorkerReply]
    do {
      replies = try backend.run(request)
    } catch ExperimentStop.diverged(let cause) {
      throw try divergence(at: t, cause)
    }
    let loss = replies.reduce(0.0) { $0 + $1.loss } / Double(replies.count)
    if let first = history.first?.trainLoss, loss > Self.divergenceFactor * max(first, 1e-12) {
      try backend.discard()
      throw try divergence(at: t, "the training loss \(formatNumber(loss)) is over \(formatNumber(Self.divergenceFactor))× the first step's \(formatNumber(first))")
    }

    // A loss within the recovery factor makes this state the one a later divergence rolls back to.
    let sound = history.first.map { loss <= Self.recoveryFactor * max($0.trainLoss, 1e-12) } ?? true
    if sound { undo = nil }
    let before = StepUndo(self)
    do {
      let serverStart = DispatchTime.now().uptimeNanoseconds
      var record = try apply(replies, request: request, loss: loss, counters: counters)
      let serverSeconds = Double(DispatchTime.now().uptimeNanoseconds - serverStart) / 1e9
      try backend.commit(keepingUndoPoint: sound)
      if sound { undo = before }
      if var wire = backend.takeWireRecord() {
        wire.serverSeconds = serverSeconds
        record.wire = wire
        replaceLast(record)
      }
      return record
    } catch {
      try before.restore(self, rollingBackWorkers: false)
      try backend.discard()
      throw error
    }
  }

  /// The server's half of a step, from the workers' replies to the record; changes the state (the workers' memories stay pending).
  private func apply(_ replies: [WorkerReply], request: RoundRequest, loss: Double, counters: (steps: Int, examples: Int)) throws -> StepRecord {
    // Server: decode every worker's payloads, then the mean of the messages in worker order (the fused mean reads
    // codeword rows where the payloads are remote and decode to them, without writing each worker's vector).
    let messages = try layerMessages(replies, participants: request.participants, raw: request.sendsRaw, rows: strategy.isFused)
    let layerCount = parameters.count
    let updateNow = pipeline.downlink == nil
    // ‖ḡ‖² per layer of the raw gradients' mean ḡ: from the workers' diagnostics frames, or as one worker
    // process measured it; without diagnostics (a lossless uplink, no error feedback) ḡ is the aggregate.
    let givenNorms = request.sendsRaw ? replies.first?.rawMeanNormsSquared : nil
    let raw = request.sendsRaw && givenNorms == nil ? replies.map { $0.raw! } : nil
    let tracked = config.tracksGradientNorm
    let gradientNormsSquared: [Double]?, bitsDown: Int
    if strategy.isFused {
      var (aggregate, rawMean) = serverPass(layerMessages: messages, raw: raw, layers: layerCount, update: updateNow)
      gradientNormsSquared = tracked ? givenNorms ?? (request.sendsRaw ? rawMean : aggregate).map(Vec.squaredNorm) : nil
      bitsDown = try broadcast(&aggregate, step: stepCount)
      if !updateNow { applyUpdate(aggregate) }
    } else {
      (gradientNormsSquared, bitsDown) = try strategyPass(messages.map { $0.map { $0.values() } }, raw: raw, givenNorms: givenNorms, tracked: tracked)
    }

    stepCount = counters.steps
    examplesSeen = counters.examples
    let record = try makeRecord(replies: replies, loss: loss, gradientNormsSquared: gradientNormsSquared, bitsDown: bitsDown, lr: request.lr)
    history.append(record)
    return record
  }

  /// Every reply's layer messages for the server (workers in parallel), after checking that each reply is the
  /// expected worker's, with one payload per layer (and the diagnostics frame when asked).
  ///
  /// A reply made in this process (the threads backend) carries what its worker decoded (vectors, or codeword
  /// rows not written out); that is used as it is, since decoding the same payload again gives the same bits.
  /// Replies from other processes are decoded, with `rows` to ``CodewordRows`` where the uplink decodes to rows
  /// (``RowDecoding``), else to vectors.
  func layerMessages(_ replies: [WorkerReply], participants: [Int], raw: Bool, rows: Bool) throws -> [[LayerMessage]] {
    let layers = pipeline.model.layers.map(\.count)
    let uplink = pipeline.uplink, compressLayer = pipeline.compressLayer
    guard replies.map(\.worker) == participants else {
      throw HSQError.malformedPayload("The workers answered as \(replies.map(\.worker)), but the round asked \(participants).")
    }
    // The diagnostics: every reply's raw gradient, or the norms of their mean in the first reply.
    let meanGiven = raw && replies.first?.rawMeanNormsSquared != nil
    if meanGiven, replies[0].rawMeanNormsSquared!.count != layers.count {
      throw HSQError.malformedPayload("Worker \(replies[0].worker)'s reply carries the norms of a mean raw gradient for \(replies[0].rawMeanNormsSquared!.count) layers, but the model has \(layers.count).")
    }
    for reply in replies {
      guard reply.payloads.count == layers.count, reply.stats.count == layers.count,
            !raw || meanGiven || reply.raw.map({ $0.map(\.count) == layers }) == true,
            reply.decoded.map({ $0.map(\.count) == layers }) ?? true else {
        throw HSQError.malformedPayload("Worker \(reply.worker)'s reply does not have one payload\(raw ? ", one raw gradient" : "") and one set of statistics for each of the model's \(layers.count) layers.")
      }
    }
    if replies.allSatisfy({ $0.decoded != nil }) { return replies.map { $0.decoded! } }
    let rowCoder = rows && replies.allSatisfy({ $0.decoded == nil }) ? uplink as? any RowDecoding : nil
    return try parallelMap(replies.count, threads: threadCount) { i in
      let reply = replies[i]
      if let decoded = reply.decoded { return decoded }
      return try layers.indices.map { l in
        guard compressLayer[l] else { return .values(try reply.payloads[l].float32Values(count: layers[l], layer: l)) }
        if let rowCoder { return .rows(try rowCoder.rows(reply.payloads[l], length: layers[l])) }
        return .values(try uplink.decode(reply.payloads[l], length: layers[l]))
      }
    }
  }

  /// The workers taking part in round `step`: all, or a seeded sample of ⌈participation·N⌉.
  func sampleParticipants(step: Int) -> [Int] {
    let n = config.workers
    let k = min(n, max(1, Int((config.participation * Double(n)).rounded(.up))))
    guard k < n else { return Array(0..<n) }
    var rng = RandomStream.derived(from: config.seed, purpose: "participation", step)
    return rng.sample(k, from: n)
  }

  /// Two-phase compression of the aggregate (with the server's memory under error feedback); returns downlink bits.
  func broadcast(_ aggregate: inout [[Float]], step t: Int) throws -> Int {
    guard let downlink = pipeline.downlink else {
      return try aggregate.reduce(0) { try Self.checkedSum($0, 32 * $1.count, "downlink bits") }
    }
    if config.errorFeedback, serverMemory.count != aggregate.count { serverMemory = pipeline.model.zeroParameters() }
    var bits = 0
    for l in 0..<aggregate.count {
      guard pipeline.compressLayer[l] else { bits = try Self.checkedSum(bits, 32 * aggregate[l].count, "downlink bits"); continue }
      var q = aggregate[l]
      if config.errorFeedback { Vec.axpy(currentEFScale, serverMemory[l], &q) }
      var rng = RandomStream.derived(from: config.seed, purpose: "downlink", t, l)
      let payload = try downlink.encode(q, rng: &rng)
      let decoded = try downlink.decode(payload, length: q.count)
      if config.errorFeedback { serverMemory[l] = zip(q, decoded).map { $0 - $1 } }
      aggregate[l] = decoded
      bits = try Self.checkedSum(bits, payload.bitCount, "downlink bits")
    }
    return bits
  }

  /// out[range] = Σ_w scale·sources[w][range], summed in source order from +0 (the C kernel, or the same sums in Swift).
  static func mean(of sources: [UnsafePointer<Float>], scale: Float, into out: UnsafeMutablePointer<Float>, range: Range<Int>) {
    let shifted = sources.map { Optional($0 + range.lowerBound) }
    let done = shifted.withUnsafeBufferPointer { list in
      hsq_mean_of(list.baseAddress!, Int32(list.count), scale, out + range.lowerBound, Int64(range.count)) != 0
    }
    if !done { portableMean(of: sources, scale: scale, into: out, range: range) }
  }

  /// ``mean(of:scale:into:range:)`` in Swift, a block of elements at a time.
  static func portableMean(of sources: [UnsafePointer<Float>], scale: Float, into out: UnsafeMutablePointer<Float>, range: Range<Int>) {
    for block in stride(from: range.lowerBound, to: range.upperBound, by: 1024) {
      let end = min(block + 1024, range.upperBound)
      for i in block..<end { out[i] = 0 }
      for source in sources {
        for i in block..<end { out[i] += scale * source[i] }
      }
    }
  }

  /// SGD with heavy-ball momentum: v ← m·v + (ĝ + λx), x ← x − η·v (local protocol: η = 1, λ applied locally).
  func applyUpdate(_ aggregate: [[Float]]) {
    let rule = UpdateRule(self)
    for l in 0..<parameters.count {
      aggregate[l].withUnsafeBufferPointer { g in
        parameters[l].withUnsafeMutableBufferPointer { x in
          velocity[l].withUnsafeMutableBufferPointer { v in
            rule.apply(g.baseAddress!, x.baseAddress!, v.baseAddress!, 0..<x.count)
          }
        }
      }
    }
  }

  func makeRecord(replies: [WorkerReply], loss: Double, gradientNormsSquared: [Double]?, bitsDown: Int, lr: Double) throws -> StepRecord {
    var layerRecords: [LayerRecord] = []
    var bitsUp = 0
    var gradientNormSquared = 0.0
    for l in pipeline.model.layers.indices {
      let g2 = gradientNormsSquared?[l]
      let layer = try layerRecord(l, replies: replies, gradientNormSquared: g2)
      bitsUp = try Self.checkedSum(bitsUp, layer.bits, "uplink bits")
      gradientNormSquared += g2 ?? 0
      layerRecords.append(layer)
    }
    cumulativeBitsUp = try Self.checkedSum(cumulativeBitsUp, bitsUp, "cumulative uplink bits")
    cumulativeBitsDown = try Self.checkedSum(cumulativeBitsDown, bitsDown, "cumulative downlink bits")
    var record = StepRecord(
      step: stepCount, epoch: epoch, lr: lr, trainLoss: loss, testLoss: nil, testAccuracy: nil, testExamples: nil,
      participants: replies.count, bitsUp: bitsUp, bitsDown: bitsDown,
      cumulativeBitsUp: cumulativeBitsUp, cumulativeBitsDown: cumulativeBitsDown,
      gradientNorm: gradientNormsSquared.map { _ in gradientNormSquared.squareRoot() }, distanceToOptimum: distanceToOptimum(),
      layers: layerRecords,
      computeSeconds: replies.reduce(0) { $0 + $1.computeSeconds },
      compressSeconds: replies.reduce(0) { $0 + $1.compressSeconds })
    record.server = serverRecord()
    if config.evalEvery > 0, stepCount % config.evalEvery == 0 {
      record.store(try evaluate())
    }
    try evaluateAtEpochBoundary(&record, participants: replies.count)
    stampTime(&record, replies: replies, started: stepStarted)
    return record
  }

  /// Layer `l`'s record: its bits and error ratios summed over the workers' replies, and ‖ḡ‖ where it is tracked.
  private func layerRecord(_ l: Int, replies: [WorkerReply], gradientNormSquared g2: Double?) throws -> LayerRecord {
    let info = pipeline.model.layers[l]
    var bits = 0, normSq = 0.0, err = 0.0
    var exact: Double? = 0, bound: Double? = 0
    for reply in replies {
      let s = reply.stats[l]
      bits = try Self.checkedSum(bits, reply.payloads[l].bitCount, "uplink bits")
      normSq += s.inputNormSquared
      err += s.errorSquared
      exact = exact.flatMap { e in s.exact.map { e + $0 } }
      bound = bound.flatMap { b in s.bound.map { b + $0 } }
    }
    let compressed = pipeline.compressLayer[l]
    let guarantee = compressed ? pipeline.uplink.guarantee(length: info.count) : .unbiased(omega: 0)
    let ratio = { (x: Double) in normSq > 0 ? x / normSq : 0 }
    return LayerRecord(
      name: info.name, compressed: compressed, count: info.count, bits: bits,
      observedRho: ratio(err), exactRho: exact.map(ratio), boundRho: bound.map(ratio),
      worstCase: guarantee.relativeErrorBound, guarantee: guarantee.kindName, gradientNorm: g2.map { $0.squareRoot() })
  }

  /// ‖x − x*‖² for models with a closed-form optimum (none while it cannot be solved: `run --distance`,
  /// `bound` and `theory` say why).
  func distanceToOptimum() -> Double? {
    guard let optimum = (try? closedFormOptimum()) ?? nil else { return nil }
    var total = 0.0
    for l in 0..<parameters.count { total += Vec.squaredDistance(parameters[l], optimum.parameters[l]) }
    return total
  }
}

extension Guarantee {
  /// `unbiased`, `contraction` or `none`.
  public var kindName: String {
    switch self {
    case .unbiased: return "unbiased"
    case .contraction: return "contraction"
    case .none: return "none"
    }
  }
}

/// The optimizer step in force, element by element.
struct UpdateRule: Sendable {
  let rate: Float
  let decay: Float
  let momentum: Float

  init(_ experiment: Experiment) {
    let local = experiment.config.protocolName == .local
    rate = Float(local ? 1 : experiment.currentLearningRate)
    decay = Float(local ? 0 : experiment.config.weightDecay)
    momentum = Float(experiment.config.momentum)
  }

  init(rate: Float, decay: Float, momentum: Float) {
    self.rate = rate
    self.decay = decay
    self.momentum = momentum
  }

  /// v ← m·v + (g + λx), x ← x − η·v over `range`, in place.
  @inline(__always)
  func apply(_ g: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    apply(g, from: x, v, into: x, v, range)
  }

  /// The same update read from `x`, `v` and written to `xOut`, `vOut` (which may be `x` and `v`) over `range`.
  @inline(__always)
  func apply(
    _ g: UnsafePointer<Float>, from x: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
    into xOut: UnsafeMutablePointer<Float>, _ vOut: UnsafeMutablePointer<Float>, _ range: Range<Int>
  ) {
    let start = range.lowerBound
    if hsq_sgd_update(g + start, x + start, v + start, xOut + start, vOut + start, Int64(range.count), rate, decay, momentum) != 0 { return }
    portableApply(g, from: x, v, into: xOut, vOut, range)
  }

  /// ``apply(_:_:_:_:)`` in Swift.
  func portableApply(_ g: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    portableApply(g, from: x, v, into: x, v, range)
  }

  /// ``apply(_:from:_:into:_:_:)`` in Swift.
  func portableApply(
    _ g: UnsafePointer<Float>, from x: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
    into xOut: UnsafeMutablePointer<Float>, _ vOut: UnsafeMutablePointer<Float>, _ range: Range<Int>
  ) {
    for i in range {
      let vi = momentum * v[i] + (g[i] + decay * x[i])
      vOut[i] = vi
      xOut[i] = x[i] - rate * vi
    }
  }
}
