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
  @discardableResult
  public func step() throws -> StepRecord {
    let t = stepCount
    stepStarted = DispatchTime.now().uptimeNanoseconds
    let participants = sampleParticipants(step: t)
    let counters = try countersAfterStep(participants: participants.count)
    let context = RoundContext(
      config: config, pipeline: pipeline, parameters: parameters, step: t,
      lr: currentLearningRate, efScale: currentEFScale)
    if config.errorFeedback, memories.count != config.workers {
      memories = Array(repeating: pipeline.model.zeroParameters(), count: config.workers)
    }
    let memorySnapshot = config.errorFeedback ? memories : []
    let workspaces = self.workspaces
    let outputs: [WorkerOutput]
    do {
      outputs = try parallelMap(participants.count, threads: threadCount) { slot in
        let w = participants[slot]
        return try context.run(worker: w, memory: memorySnapshot.isEmpty ? nil : memorySnapshot[w], workspace: workspaces[w])
      }
    } catch ExperimentStop.diverged(let cause) {
      throw divergence(at: t, cause)
    }
    let loss = outputs.reduce(0.0) { $0 + $1.loss } / Double(outputs.count)
    if let first = history.first?.trainLoss, loss > Self.divergenceFactor * max(first, 1e-12) {
      throw divergence(at: t, "the training loss \(formatNumber(loss)) is over \(formatNumber(Self.divergenceFactor))× the first step's \(formatNumber(first))")
    }

    // A loss within the recovery factor makes this state the one a later divergence rolls back to.
    let sound = history.first.map { loss <= Self.recoveryFactor * max($0.trainLoss, 1e-12) } ?? true
    if sound { undo = nil }
    let before = StepUndo(self)
    do {
      let record = try apply(outputs, participants: participants, loss: loss, counters: counters, lr: context.lr)
      if sound { undo = before }
      return record
    } catch {
      before.restore(self)
      throw error
    }
  }

  /// The server's half of a step, from the workers' outputs to the record; changes the state.
  private func apply(_ outputs: [WorkerOutput], participants: [Int], loss: Double, counters: (steps: Int, examples: Int), lr: Double) throws -> StepRecord {
    // Server: mean of the decoded messages, in worker order.
    let layerCount = parameters.count
    let lossless = pipeline.uplink.isLossless && !config.errorFeedback
    let updateNow = pipeline.downlink == nil
    var (aggregate, rawMean) = serverPass(
      messages: outputs.map(\.messages), raw: lossless ? nil : outputs.map(\.raw), layers: layerCount, update: updateNow)
    if lossless { rawMean = aggregate }
    let bitsDown = try broadcast(&aggregate, step: stepCount)
    if !updateNow { applyUpdate(aggregate) }

    // Commit.
    if config.errorFeedback {
      for (slot, w) in participants.enumerated() { memories[w] = outputs[slot].memory! }
    }
    stepCount = counters.steps
    examplesSeen = counters.examples
    let record = try makeRecord(outputs: outputs, loss: loss, rawMean: rawMean, bitsDown: bitsDown, lr: lr)
    history.append(record)
    lastInputs = outputs.map(\.inputs)
    return record
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

  func makeRecord(outputs: [WorkerOutput], loss: Double, rawMean: [[Float]], bitsDown: Int, lr: Double) throws -> StepRecord {
    let layers = pipeline.model.layers
    var layerRecords: [LayerRecord] = []
    var bitsUp = 0
    var gradientNormSquared = 0.0
    for (l, info) in layers.enumerated() {
      var bits = 0, normSq = 0.0, err = 0.0
      var exact: Double? = 0, bound: Double? = 0
      for output in outputs {
        let s = output.stats[l]
        bits = try Self.checkedSum(bits, s.bits, "uplink bits")
        normSq += s.inputNormSquared
        err += s.errorSquared
        exact = exact.flatMap { e in s.exact.map { e + $0 } }
        bound = bound.flatMap { b in s.bound.map { b + $0 } }
      }
      bitsUp = try Self.checkedSum(bitsUp, bits, "uplink bits")
      let g2 = Vec.squaredNorm(rawMean[l])
      gradientNormSquared += g2
      let compressed = pipeline.compressLayer[l]
      let guarantee = compressed ? pipeline.uplink.guarantee(length: info.count) : .unbiased(omega: 0)
      let ratio = { (x: Double) in normSq > 0 ? x / normSq : 0 }
      layerRecords.append(LayerRecord(
        name: info.name, compressed: compressed, count: info.count, bits: bits,
        observedRho: ratio(err), exactRho: exact.map(ratio), boundRho: bound.map(ratio),
        worstCase: guarantee.relativeErrorBound, guarantee: guarantee.kindName, gradientNorm: g2.squareRoot()))
    }
    cumulativeBitsUp = try Self.checkedSum(cumulativeBitsUp, bitsUp, "cumulative uplink bits")
    cumulativeBitsDown = try Self.checkedSum(cumulativeBitsDown, bitsDown, "cumulative downlink bits")
    var record = StepRecord(
      step: stepCount, epoch: epoch, lr: lr, trainLoss: loss, testLoss: nil, testAccuracy: nil, testExamples: nil,
      participants: outputs.count, bitsUp: bitsUp, bitsDown: bitsDown,
      cumulativeBitsUp: cumulativeBitsUp, cumulativeBitsDown: cumulativeBitsDown,
      gradientNorm: gradientNormSquared.squareRoot(), distanceToOptimum: distanceToOptimum(),
      layers: layerRecords,
      computeSeconds: outputs.reduce(0) { $0 + $1.computeSeconds },
      compressSeconds: outputs.reduce(0) { $0 + $1.compressSeconds })
    if config.evalEvery > 0, stepCount % config.evalEvery == 0 {
      record.store(try evaluate())
    }
    try evaluateAtEpochBoundary(&record, participants: outputs.count)
    stampTime(&record, outputs: outputs, started: stepStarted)
    return record
  }

  /// ‖x − x*‖² for models with a closed-form optimum.
  func distanceToOptimum() -> Double? {
    guard let optimum else { return nil }
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
    let local = experiment.config.protocolName == "local"
    rate = Float(local ? 1 : experiment.currentLearningRate)
    decay = Float(local ? 0 : experiment.config.weightDecay)
    momentum = Float(experiment.config.momentum)
  }

  init(rate: Float, decay: Float, momentum: Float) {
    self.rate = rate
    self.decay = decay
    self.momentum = momentum
  }

  /// v ← m·v + (g + λx), x ← x − η·v over `range`.
  @inline(__always)
  func apply(_ g: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let start = range.lowerBound
    if hsq_sgd_update(g + start, x + start, v + start, Int64(range.count), rate, decay, momentum) != 0 { return }
    portableApply(g, x, v, range)
  }

  /// ``apply(_:_:_:_:)`` in Swift.
  func portableApply(_ g: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    for i in range {
      v[i] = momentum * v[i] + (g[i] + decay * x[i])
      x[i] -= rate * v[i]
    }
  }
}
