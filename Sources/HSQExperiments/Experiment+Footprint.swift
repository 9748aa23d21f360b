extension Experiment {
  /// How many bytes an experiment holds, by part, counted from its arrays and records.
  public struct Footprint: Sendable, Hashable {
    /// x and x₀.
    public var parameters: Int
    public var velocity: Int
    /// A server optimizer's own state (fedadam's m and v, …); 0 under `sgd`, whose state is the velocity.
    public var serverState: Int
    /// The workers' error-feedback memories and the server's.
    public var memories: Int
    /// Step records (with their per-layer records) and the event log.
    public var history: Int
    /// The state kept to roll back to after a divergence (arrays it shares with the experiment count too).
    public var undo: Int

    public var total: Int { parameters + velocity + serverState + memories + history + undo }

    /// A step record's bytes: the record, and its layers in an array of their own behind a 32-byte header.
    static func bytes(ofRecordWithLayers layers: Int) -> Int {
      MemoryLayout<StepRecord>.stride + 32 + layers * MemoryLayout<LayerRecord>.stride
    }
  }

  /// The experiment's size in memory (the dataset, shared between experiments, not included).
  public var footprint: Footprint {
    let float = MemoryLayout<Float>.stride
    let records = history.reduce(0) { $0 + Footprint.bytes(ofRecordWithLayers: $1.layers.count) }
    let log = events.reduce(0) { $0 + MemoryLayout<ExperimentEvent>.stride + $1.text.utf8.count }
    return Footprint(
      parameters: float * (parameters.floatCount + initialParameters.floatCount),
      velocity: float * velocity.floatCount,
      serverState: float * (serverState?.floatCount ?? 0),
      memories: float * (workerMemoryFloats + serverMemory.floatCount),
      history: records + log,
      undo: undo?.bytes ?? 0)
  }
}
