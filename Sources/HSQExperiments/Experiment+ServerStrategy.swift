import Foundation
import HSQCore

extension Experiment {
  /// The server's half of a step for every aggregator and optimizer but the fused `mean` + `sgd`: the
  /// aggregator's update, the downlink's broadcast, then the optimizer's step. Returns ‖ḡ‖² per layer of the
  /// raw gradients' mean (for the record) and the downlink bits.
  ///
  /// Everything runs in worker order on this thread (coordinate-wise aggregators split elements across lanes,
  /// which changes no bit), so the result does not depend on the thread count or the backend: on MPI, rank 0 runs it.
  func strategyPass(_ messages: [[[Float]]], raw: [[[Float]]]?, givenNorms: [Double]?, tracked: Bool) throws -> (gradientNormsSquared: [Double]?, bitsDown: Int) {
    var aggregate = try strategy.aggregator.checkedAggregate(messages)
    // ‖ḡ‖ in the record is the raw gradients' mean, whatever the aggregator (`mean` of lossless messages: the aggregate).
    let norms: [Double]?
    if !tracked {
      norms = nil
    } else if let givenNorms {
      norms = givenNorms
    } else if raw == nil, strategy.aggregator is MeanAggregator {
      norms = aggregate.map(Vec.squaredNorm)
    } else {
      norms = Self.workerMean(raw ?? messages).map(Vec.squaredNorm)
    }
    let bitsDown = try broadcast(&aggregate, step: stepCount)
    optimizerStep(aggregate)
    return (norms, bitsDown)
  }

  /// The server optimizer's step with `aggregate`: `sgd` on the velocity as the fused pass does it, any other
  /// on ``serverState`` with g = aggregate (+ λx under protocol `gradient`, as `sgd` adds it).
  func optimizerStep(_ aggregate: [[Float]]) {
    guard !strategy.usesVelocity else { return applyUpdate(aggregate) }
    var state = currentServerState
    // The experiment lets go of its copy, so the step writes the buffers in place unless the undo point shares them.
    serverState = nil
    let local = config.protocolName == .local
    let decay = Float(local ? 0 : config.weightDecay)
    let context = ServerStepContext(
      learningRate: local ? 1 : currentLearningRate, scheduleFactor: scheduleFactor, momentum: config.momentum, completedSteps: state.steps)
    for l in 0..<parameters.count {
      var g = aggregate[l]
      if decay != 0 { for i in g.indices { g[i] = g[i] + decay * parameters[l][i] } }
      strategy.optimizer.step(g, parameters: &parameters[l], state: &state.buffers[l], context: context)
    }
    state.steps += 1
    serverState = state
  }

  /// The server optimizer's state now: the one kept, or its initial state when there is none yet.
  var currentServerState: ServerOptimizerState {
    if let serverState, serverState.slots == strategy.optimizer.stateSlots { return serverState }
    return ServerOptimizerState(slots: strategy.optimizer.stateSlots, layerCounts: pipeline.model.layers.map(\.count))
  }

  /// The `lr-decay` schedule's factor now: lr-decay^⌊examples seen / examples per period⌋ (1 without a schedule).
  public var scheduleFactor: Double {
    guard config.lrDecayEvery > 0, config.lrDecay < 1 else { return 1 }
    let period = config.lrDecayEvery * Double(max(1, pipeline.dataset.train.count))
    return pow(config.lrDecay, (Double(examplesSeen) / period).rounded(.down))
  }

  /// What the step record shows of the server's state: the norm of each buffer, for every strategy but the
  /// default (whose records keep the fields they always had).
  func serverRecord() -> ServerRecord? {
    guard !strategy.isFused else { return nil }
    if strategy.usesVelocity {
      let norm = velocity.reduce(0.0) { $0 + Vec.squaredNorm($1) }.squareRoot()
      return ServerRecord(steps: nil, norms: [("velocity", norm)])
    }
    guard let serverState else { return nil }
    return ServerRecord(steps: serverState.steps, norms: serverState.norms)
  }

  /// The server optimizer's state, when it has one besides the velocity (public for inspection and tests).
  public var serverOptimizerState: (steps: Int, buffers: [String: [[Float]]])? {
    guard let serverState else { return nil }
    let named = serverState.slots.indices.map { k in (serverState.slots[k].name, serverState.buffers.map { $0[k] }) }
    return (serverState.steps, Dictionary(uniqueKeysWithValues: named))
  }

  /// What THEORY.md's guarantees do not cover about the server's strategy: a non-linear aggregator (no
  /// unbiasedness: the bounds assume the mean) and a server optimizer other than `sgd`. Empty for the default.
  public var strategyCaveats: [String] {
    var notes: [String] = []
    if !strategy.aggregator.properties.isLinear {
      notes.append("the aggregator '\(strategy.aggregator.spec)' is not linear: the aggregate of unbiased messages need not be unbiased, and the bounds assume their mean.")
    }
    if !strategy.usesVelocity {
      notes.append("the server optimizer '\(strategy.optimizer.spec)' is outside the theory (it assumes SGD with step lr).")
    }
    return notes
  }

  /// The aggregator in force.
  public var aggregator: any Aggregator { strategy.aggregator }
  /// The server optimizer in force.
  public var serverOptimizer: any ServerOptimizer { strategy.optimizer }
}
