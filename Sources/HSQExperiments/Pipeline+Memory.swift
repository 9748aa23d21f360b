import HSQCore
import HSQDatasets
import HSQModels

extension Pipeline {
  /// Throws unless the experiment's arrays fit the ``MemoryBudget``; called before any of them exists.
  ///
  /// ```
  /// server:      8 copies of the parameters (x, x₀, velocity, mean, raw mean, downlink memory,
  ///              and the x and velocity a divergence rolls back to)
  ///              + 2 per state slot of a server optimizer other than `sgd` (the state, and the copy
  ///              a divergence rolls back to: fedadam's m and v are 4)
  /// per worker:  4 copies (gradient, compressor input, decoded message, last input)
  ///              + 3 with error feedback (memory, new memory, the memory kept to roll back to)
  ///              + 2 for protocol local (x, gradient)
  ///              + batch × (workspace floats per example + features + label)
  /// ```
  ///
  /// Every worker's round is held until the server pass, and every worker keeps its workspace,
  /// so the per-worker terms count N times, whatever the thread count.
  static func checkMemory(_ config: ExperimentConfig, model: any Model, dataset: Dataset) throws {
    let parameters = model.parameterMemory
    let copies = 4 + (config.errorFeedback ? 3 : 0) + (config.protocolName == .local ? 2 : 0)
    let perExample = model.workspaceFloatsPerExample.addingReportingOverflow(dataset.train.featureCount + 1)
    let batch = perExample.overflow ? MemoryEstimate.overflow : .floats(config.batch, perExample.partialValue)
    let optimizer = try ServerOptimizers.make(config.serverOptimizerSpec)
    let serverCopies = 8 + (optimizer is SGDServerOptimizer ? 0 : 2 * optimizer.stateSlots.count)
    let total = serverCopies * parameters + config.workers * (copies * parameters + batch)
    try MemoryBudget.current.check(
      total, for: "The experiment",
      detail: "workers × (parameters + memories + messages + workspaces) + batch × layer widths for activations",
      fix: "Lower 'batch' or 'workers', or use a smaller model")
  }
}
