import CKernels
import Dispatch
import Foundation
import HSQCompressors
import HSQCore
import HSQModels

extension Experiment {
  /// A loss this many times the first step's loss counts as divergence.
  public static let divergenceFactor = 1e3

  /// Advances the experiment by one round and returns its record.
  ///
  /// Workers run concurrently; the server reduces their messages in worker
  /// order. The step is all or nothing: when a loss is NaN/Inf or blows up,
  /// it throws ``ExperimentStop/diverged(_:)`` and the state stays at the
  /// previous step.
  @discardableResult
  public func step() throws -> StepRecord {
    let t = stepCount
    let T0 = DispatchTime.now().uptimeNanoseconds
    Timing.shared.t0 = T0
    let participants = sampleParticipants(step: t)
    let context = RoundContext(
      config: config, pipeline: pipeline, parameters: parameters, step: t,
      lr: currentLearningRate, efScale: currentEFScale)
    if config.errorFeedback, memories.count != config.workers {
      memories = Array(repeating: pipeline.model.zeroParameters(), count: config.workers)
    }
    let memorySnapshot = config.errorFeedback ? memories : []
    let workspaces = self.workspaces
    if threadCount > 1, participants.count > 1, BLAS.threadCount != 1 { BLAS.threadCount = 1 }
    // The workers' rounds, then the server's mean of their messages (and of their raw gradients for
    // the record), in one parallel pass.
    let lossless = pipeline.uplink.isLossless && !config.errorFeedback
    let round = try runRound(participants.count, rawMean: !lossless) { slot in
      let w = participants[slot]
      return try context.run(worker: w, memory: memorySnapshot.isEmpty ? nil : memorySnapshot[w], workspace: workspaces[w])
    }
    let outputs = round.outputs
    let T1 = DispatchTime.now().uptimeNanoseconds
    let loss = outputs.reduce(0.0) { $0 + $1.loss } / Double(outputs.count)
    if let first = history.first?.trainLoss, loss > Self.divergenceFactor * max(first, 1e-12) {
      throw ExperimentStop.diverged(
        "Diverged at step \(t + 1): the training loss \(formatNumber(loss)) is over \(formatNumber(Self.divergenceFactor))× the first step's \(formatNumber(first)). The state is kept at step \(t); lower 'lr' or change the compressor, then continue.")
    }

    // Server: the mean (summed in worker order), its compression for the downlink, the update.
    var aggregate = round.aggregate
    let rawMean = lossless ? aggregate : round.rawMean
    let bitsDown = try broadcast(&aggregate, step: t)
    applyUpdate(aggregate)
    let T2 = DispatchTime.now().uptimeNanoseconds

    // Commit.
    if config.errorFeedback {
      for (slot, w) in participants.enumerated() { memories[w] = outputs[slot].memory! }
    }
    lastInputs = outputs.map(\.inputs)
    stepCount += 1
    examplesSeen += participants.count * config.batch * (config.protocolName == "local" ? config.localSteps : 1)
    let record = try makeRecord(outputs: outputs, loss: loss, rawMean: rawMean, bitsDown: bitsDown, lr: context.lr)
    history.append(record)
    let T3 = DispatchTime.now().uptimeNanoseconds
    Timing.shared.add(T1 - T0, T2 - T1, T3 - T2, outputs.reduce(0) { $0 + $1.computeSeconds + $1.compressSeconds }, outputs.reduce(0) { $0 + $1.compressSeconds })
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
      return aggregate.reduce(0) { $0 + 32 * $1.count }
    }
    if config.errorFeedback, serverMemory.count != aggregate.count { serverMemory = pipeline.model.zeroParameters() }
    var bits = 0
    for l in 0..<aggregate.count {
      guard pipeline.compressLayer[l] else { bits += 32 * aggregate[l].count; continue }
      var q = aggregate[l]
      if config.errorFeedback { Vec.axpy(currentEFScale, serverMemory[l], &q) }
      var rng = RandomStream.derived(from: config.seed, purpose: "downlink", t, l)
      let payload = try downlink.encode(q, rng: &rng)
      let decoded = try downlink.decode(payload, length: q.count)
      if config.errorFeedback { serverMemory[l] = zip(q, decoded).map { $0 - $1 } }
      aggregate[l] = decoded
      bits += payload.bitCount
    }
    return bits
  }

  /// The learning rate, weight decay and momentum of the update (local protocol: η = 1, λ applied locally).
  var updateConstants: (rate: Float, decay: Float, momentum: Float) {
    let local = config.protocolName == "local"
    return (Float(local ? 1 : currentLearningRate), Float(local ? 0 : config.weightDecay), Float(config.momentum))
  }

  /// SGD with heavy-ball momentum: v ← m·v + (ĝ + λx), x ← x − η·v (local protocol: η = 1, λ applied locally).
  func applyUpdate(_ aggregate: [[Float]]) {
    let (rate, decay, m) = updateConstants
    for l in 0..<parameters.count {
      let g = aggregate[l]
      g.withUnsafeBufferPointer { gp in
        parameters[l].withUnsafeMutableBufferPointer { x in
          velocity[l].withUnsafeMutableBufferPointer { v in
            Vec.momentumStep(
              x: x.baseAddress!, velocity: v.baseAddress!, gradient: gp.baseAddress!, range: 0..<x.count,
              momentum: m, decay: decay, rate: rate)
          }
        }
      }
    }
  }

  /// Runs `body(slot)` for every slot, then sums the slots' messages (and raw gradients when `rawMean`) per
  /// element in slot order, scaled by 1/count — all on up to ``threadCount`` threads.
  ///
  /// Work is claimed in a fixed order (the slots, then element ranges of the sums, which wait for every
  /// slot) by whichever thread is free: one dispatch per round, and no thread idles while another still
  /// has a worker to run. Every slot and every element is computed by the same operations on any thread,
  /// so the results do not depend on the thread count or the schedule. When a slot throws, the sums are
  /// skipped and the first error in slot order is rethrown.
  func runRound(
    _ count: Int, rawMean wantRaw: Bool, _ body: @Sendable (Int) throws -> WorkerOutput
  ) throws -> (outputs: [WorkerOutput], aggregate: [[Float]], rawMean: [[Float]]) {
    let counts = parameters.map(\.count)
    let chunk = 1 << 14
    let ranges: [(layer: Int, range: Range<Int>)] = counts.enumerated().flatMap { l, n in
      stride(from: 0, to: n, by: chunk).map { (l, $0..<min(n, $0 + chunk)) }
    }
    let slots = UnsafeMutableBufferPointer<Result<WorkerOutput, any Error>?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    let counters = UnsafeMutablePointer<Int64>.allocate(capacity: 2)
    counters.initialize(repeating: 0, count: 2)
    defer {
      slots.deinitialize()
      slots.deallocate()
      counters.deallocate()
    }
    let width = max(1, min(threadCount, count + ranges.count))
    Timing.shared.pre += DispatchTime.now().uptimeNanoseconds - Timing.shared.t0
    let scale = 1 / Float(count)
    let layers = counts.count
    let arrays = makeUninitializedArrays(counts + (wantRaw ? counts : [])) { targets in
      let job = RoundJob(slots: slots, counters: counters, targets: targets)
      withoutActuallyEscaping(body) { body in
      let work: @Sendable (Int) -> Void = { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        var mine = 0
        var waited: UInt64 = 0
        defer { Timing.shared.thread(start: start, slots: mine, waited: waited, main: Thread.isMainThread) }
        while true {
          let unit = Int(hsq_atomic_fetch_add(job.counters, 1))
          if unit < count {
            job.slots[unit] = Result { try body(unit) }
            mine += 1
            _ = hsq_atomic_fetch_add(job.counters + 1, 1)
          } else if unit < count + ranges.count {
            // Every slot is claimed by a running thread: wait for them all.
            var spins = 0
            let ws = DispatchTime.now().uptimeNanoseconds
            defer { waited += DispatchTime.now().uptimeNanoseconds - ws }
            while hsq_atomic_load(job.counters + 1) < Int64(count) {
              spins += 1
              if spins < 4096 { hsq_spin_pause() } else { sched_yield() }
            }
            let outputs = job.slots.compactMap { try? $0?.get() }
            guard outputs.count == count else { continue }  // a slot failed: nothing to sum
            let (l, range) = ranges[unit - count]
            withBasePointers(outputs.map { $0.messages[l] }) { messages in
              Vec.scaledSum(messages, scale: scale, range: range, into: job.targets[l])
            }
            if wantRaw {
              withBasePointers(outputs.map { $0.raw[l] }) { raws in
                Vec.scaledSum(raws, scale: scale, range: range, into: job.targets[layers + l])
              }
            }
          } else {
            return
          }
        }
      }
      if width == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: width, execute: work) }
      }
    }
    let outputs = try slots.map { try $0!.get() }
    return (outputs, Array(arrays[0..<layers]), wantRaw ? Array(arrays[layers...]) : [])
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
        bits += s.bits
        normSq += s.inputNormSquared
        err += s.errorSquared
        exact = exact.flatMap { e in s.exact.map { e + $0 } }
        bound = bound.flatMap { b in s.bound.map { b + $0 } }
      }
      bitsUp += bits
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
    cumulativeBitsUp += bitsUp
    cumulativeBitsDown += bitsDown
    var record = StepRecord(
      step: stepCount, epoch: epoch, lr: lr, trainLoss: loss, testLoss: nil, testAccuracy: nil,
      participants: outputs.count, bitsUp: bitsUp, bitsDown: bitsDown,
      cumulativeBitsUp: cumulativeBitsUp, cumulativeBitsDown: cumulativeBitsDown,
      gradientNorm: gradientNormSquared.squareRoot(), distanceToOptimum: distanceToOptimum(),
      layers: layerRecords,
      computeSeconds: outputs.reduce(0) { $0 + $1.computeSeconds },
      compressSeconds: outputs.reduce(0) { $0 + $1.compressSeconds })
    if config.evalEvery > 0, stepCount % config.evalEvery == 0 {
      let evaluation = try evaluate()
      record.testLoss = evaluation.loss
      record.testAccuracy = evaluation.accuracy
    }
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

/// The shared state of one round, handed to the threads as raw pointers.
private struct RoundJob: @unchecked Sendable {
  let slots: UnsafeMutableBufferPointer<Result<WorkerOutput, any Error>?>
  /// [0]: units claimed, [1]: slots finished.
  let counters: UnsafeMutablePointer<Int64>
  let targets: [UnsafeMutablePointer<Float>]
}

/// Arrays of the given sizes whose elements `fill` writes through their base addresses (it must write
/// every element before anything reads them; when it returns early the arrays must be dropped unread).
func makeUninitializedArrays(_ counts: [Int], _ fill: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
  var pointers: [UnsafeMutablePointer<Float>] = []
  pointers.reserveCapacity(counts.count)
  var made: [[Float]] = []
  func make(_ i: Int) {
    guard i < counts.count else { return fill(pointers) }
    let array = [Float](unsafeUninitializedCapacity: counts[i]) { buffer, initialized in
      // An empty layer has no element range, so its (dummy) address is never used.
      pointers.append(buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<Float>.alignment)!)
      make(i + 1)
      initialized = counts[i]
    }
    made.append(array)
  }
  make(0)
  return made.reversed()
}

/// Calls `body` with the base addresses of `arrays` (each array stays pinned for the call).
func withBasePointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  var pointers: [UnsafePointer<Float>] = []
  pointers.reserveCapacity(arrays.count)
  func pin(_ i: Int) -> R {
    guard i < arrays.count else { return body(pointers) }
    return arrays[i].withUnsafeBufferPointer { p in
      pointers.append(p.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!)
      return pin(i + 1)
    }
  }
  return pin(0)
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

final class Timing: @unchecked Sendable {
  static let shared = Timing()
  let lock = NSLock()
  var t0: UInt64 = 0, pre: UInt64 = 0
  var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, n = 0, w = 0.0, z = 0.0
  var mainStart: UInt64 = 0, otherStart: UInt64 = 0, mainSlots = 0, otherSlots = 0, mainWait: UInt64 = 0, otherWait: UInt64 = 0, others = 0
  func thread(start: UInt64, slots: Int, waited: UInt64, main: Bool) {
    lock.lock(); defer { lock.unlock() }
    if main { mainStart += start - t0; mainSlots += slots; mainWait += waited } else { otherStart += start - t0; otherSlots += slots; otherWait += waited; others += 1 }
  }
  func add(_ x: UInt64, _ y: UInt64, _ q: UInt64, _ ws: Double, _ cs: Double) {
    a += x; b += y; c += q; n += 1; w += ws; z += cs
    if n % 1000 == 0 {
      print("round \(a / UInt64(n) / 1000) us (pre \(pre / UInt64(n) / 1000)), update \(b / UInt64(n) / 1000) us, record \(c / UInt64(n) / 1000) us, worker-sum \(Int(w / Double(n) * 1e6)) us, compress-sum \(Int(z / Double(n) * 1e6)) us")
      print("main: start \(mainStart / UInt64(n) / 1000) us, slots \(Double(mainSlots) / Double(n)), wait \(mainWait / UInt64(n) / 1000) us; other (\(others)): start \(otherStart / UInt64(max(others,1)) / 1000) us, slots \(Double(otherSlots) / Double(n)), wait \(otherWait / UInt64(n) / 1000) us")
    }
  }
}
