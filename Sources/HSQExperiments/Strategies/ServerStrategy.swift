import HSQCore

/// The aggregator and the server optimizer an experiment's config names, built on the server only.
struct ServerStrategy: Sendable {
  let aggregator: any Aggregator
  let optimizer: any ServerOptimizer

  /// Builds both from the config's spellings (a typo names the closest registered component).
  init(_ config: ExperimentConfig) throws {
    aggregator = try Aggregators.make(config.aggregatorSpec)
    optimizer = try ServerOptimizers.make(config.serverOptimizerSpec)
  }

  /// The built-in `mean` with the built-in `sgd`: the experiment runs the fused server pass, as it always has.
  var isFused: Bool { aggregator is MeanAggregator && usesVelocity }

  /// The built-in `sgd`, whose state is the experiment's velocity (saved as `velocity.LAYER`, as before).
  var usesVelocity: Bool { optimizer is SGDServerOptimizer }
}

/// A server optimizer's state: its buffers for every layer and the steps it has taken.
struct ServerOptimizerState: Sendable, Hashable {
  /// The slots the buffers hold, in the optimizer's order.
  var slots: [ServerStateSlot]
  /// `buffers[layer][slot]`, each as long as the layer.
  var buffers: [[[Float]]]
  /// Steps taken with this state.
  var steps: Int

  /// The state before the first step: every slot at its initial value.
  init(slots: [ServerStateSlot], layerCounts: [Int]) {
    self.slots = slots
    buffers = layerCounts.map { count in slots.map { [Float](repeating: $0.initial, count: count) } }
    steps = 0
  }

  init(slots: [ServerStateSlot], buffers: [[[Float]]], steps: Int) {
    self.slots = slots
    self.buffers = buffers
    self.steps = steps
  }

  /// ‖slot‖ over all layers, for each slot in order.
  var norms: [(name: String, norm: Double)] {
    slots.indices.map { k in (slots[k].name, buffers.reduce(0.0) { $0 + Vec.squaredNorm($1[k]) }.squareRoot()) }
  }

  /// Floats held (for the memory footprint and the undo point's size).
  var floatCount: Int { buffers.reduce(0) { $0 + $1.floatCount } }
}
