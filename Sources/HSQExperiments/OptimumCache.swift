import HSQModels
import Synchronization

/// Closed-form optima by (dataset, model) spelling, computed once per process.
///
/// x* depends only on the training data and the model, not on the seed, the workers or the
/// compressor, so every run of a sweep shares it; at d = 4096 the Cholesky solve takes seconds,
/// which each of a sweep's runs would otherwise repeat. A model without a closed form caches `nil`; a solve that
/// fails (over the memory budget) caches nothing, so it is tried again, under the budget of the next use.
final class OptimumCache: Sendable {
  static let shared = OptimumCache()
  private let solved = Mutex<[String: Optimum?]>([:])

  /// The optimum of `pipeline`'s model on its training set (`nil` without a closed form).
  ///
  /// - Parameter dataset: the spelling the pipeline's dataset was loaded by (``DatasetCache`` keeps one dataset per spelling).
  /// - Throws: when the solve fails, e.g. when its matrices do not fit the memory budget.
  func optimum(_ pipeline: Pipeline, dataset: String) throws -> Optimum? {
    let key = dataset + "\u{0}" + pipeline.model.spec
    if let hit = solved.withLock({ $0[key] }) { return hit }
    let optimum = try pipeline.model.optimum(on: pipeline.dataset.train)
    solved.withLock { $0[key] = optimum }
    return optimum
  }
}
