import HSQModels

extension Experiment {
  /// Loss and accuracy on the whole test set, whatever `test-subset` says.
  public func evaluateFullTestSet() throws -> Evaluation {
    try pipeline.model.evaluate(parameters: parameters, examples: pipeline.dataset.test, workspace: serverWorkspace)
  }

  /// Evaluates the current parameters on the whole test set into the last record, unless it holds that already.
  ///
  /// The end of a run that a sweep reports, and of a `run`/`step` command that reached a new epoch:
  /// the final model's accuracy on every test example, stored with its size (``StepRecord/testExamples``).
  ///
  /// - Returns: the last record, or `nil` before the first step.
  @discardableResult
  public func evaluateLastStepOnFullTestSet() throws -> StepRecord? {
    guard var record = history.last else { return nil }
    guard dataset.test.count > 0 else { return record }
    if record.testAccuracy != nil || record.testLoss != nil, record.testExamples == dataset.test.count { return record }
    record.store(try evaluateFullTestSet())
    replaceLast(record)
    return record
  }
}

extension Experiment {
  /// Whether going from `before` to `after` examples seen passes a multiple of the training-set size.
  func crossedEpoch(from before: Int, to after: Int) -> Bool {
    let n = max(1, dataset.train.count)
    return after / n > before / n
  }

  /// Under `eval-epochs`, evaluates a new record on the whole test set when its step crossed an epoch boundary
  /// (not when there is no test set).
  func evaluateAtEpochBoundary(_ record: inout StepRecord, participants: Int) throws {
    guard config.evalEpochs ?? true, dataset.test.count > 0 else { return }
    let perWorker = config.batch * (config.protocolName == .local ? config.localSteps : 1)
    guard crossedEpoch(from: examplesSeen - participants * perWorker, to: examplesSeen) else { return }
    if record.testAccuracy != nil || record.testLoss != nil, record.testExamples == dataset.test.count { return }
    record.store(try evaluateFullTestSet())
  }
}

extension StepRecord {
  /// Keeps an evaluation's loss, accuracy and size.
  mutating func store(_ evaluation: Evaluation) {
    testLoss = evaluation.loss
    testAccuracy = evaluation.accuracy
    testExamples = evaluation.count
  }
}

extension Experiment {
  /// Evaluates now on the whole test set or its first `subset` examples; after a step, keeps it in the last record.
  public func evaluateNow(subset: Int? = nil) throws -> Evaluation {
    let examples = subset.map { $0 < dataset.test.count ? dataset.test.subset(Array(0..<$0)) : dataset.test } ?? dataset.test
    let evaluation = try pipeline.model.evaluate(parameters: parameters, examples: examples, workspace: serverWorkspace)
    if var record = history.last {
      record.store(evaluation)
      replaceLast(record)
    }
    return evaluation
  }
}
