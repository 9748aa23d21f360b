import HSQCore

extension Experiment {
  /// Steps until a condition is met, the run is interrupted, or a step fails.
  ///
  /// `cancellation` is polled between steps (the REPL cancels it on Ctrl-C), so the
  /// experiment always stops in a consistent state. Errors do not escape: a
  /// failing step ends the run with ``StopReason/failed(_:)`` and is not applied.
  ///
  /// - Parameters:
  ///   - condition: when to stop; an unbounded condition is refused.
  ///   - cancellation: polled before every step; by default the command's ``Cancellation/current``.
  ///   - onStep: called after every step with its record.
  ///
  /// A run that ends by its condition after crossing an epoch boundary evaluates its last step on the whole
  /// test set (`eval-epochs`), so the last number a run reports is the final model's on every test example.
  public func run(
    until condition: StopCondition, cancellation: Cancellation? = Cancellation.current, onStep: (StepRecord) -> Void = { _ in }
  ) -> RunOutcome {
    let examplesBefore = examplesSeen
    var outcome = steps(until: condition, cancellation: cancellation, onStep: onStep)
    switch outcome.reason {
    case .interrupted, .diverged, .failed: break
    default:
      guard config.evalEpochs ?? true, !outcome.records.isEmpty, crossedEpoch(from: examplesBefore, to: examplesSeen) else { break }
      do {
        if let last = try evaluateLastStepOnFullTestSet() { outcome.records[outcome.records.count - 1] = last }
      } catch {
        outcome.reason = .failed("The evaluation after step \(stepCount) failed: \(error)")
      }
    }
    return outcome
  }

  private func steps(
    until condition: StopCondition, cancellation: Cancellation?, onStep: (StepRecord) -> Void
  ) -> RunOutcome {
    var records: [StepRecord] = []
    guard !condition.isUnbounded else {
      return RunOutcome(records: [], reason: .failed("A run needs a stop condition: steps, epochs, loss, accuracy, bits or distance."))
    }
    if condition.distance != nil {
      let solved: Bool
      do { solved = try closedFormOptimum() != nil } catch { return RunOutcome(records: [], reason: .failed("A distance target needs the optimum x*: \(error)")) }
      if !solved {
        return RunOutcome(records: [], reason: .failed(
          "A distance target needs the optimum x*, and '\(pipeline.model.spec)' on this dataset has none in closed form; use least-squares (d + 1 ≤ 8192, n ≥ d + 1), or a loss or accuracy target."))
      }
    }
    // Each step adds a record to the history and its copy to this run's records (sharing the layers): the run
    // stops before that growth would take the experiment past the memory limit, as every size a user controls does.
    let limit = MemoryBudget.current
    var bytes = footprint.total
    let growth = Footprint.bytes(ofRecordWithLayers: parameters.count) + MemoryLayout<StepRecord>.stride
    while true {
      if let steps = condition.steps, records.count >= steps { return RunOutcome(records: records, reason: .steps) }
      if let epochs = condition.epochs, epoch >= epochs { return RunOutcome(records: records, reason: .epochs) }
      if let budget = condition.bitsBudget, cumulativeBitsUp >= budget { return RunOutcome(records: records, reason: .bitsBudget) }
      if cancellation?.isCancelled == true { return RunOutcome(records: records, reason: .interrupted) }
      bytes += growth
      do {
        try limit.check(
          .bytes(bytes), for: "Step \(stepCount + 1)",
          detail: "the experiment's state, its history of \(history.count) steps and this run's \(records.count) records, growing by \(MemoryEstimate.bytes(growth)) a step",
          fix: "Save what it has ('save FILE')", atLeast: true)
      } catch {
        return RunOutcome(records: records, reason: .failed("\(error)"))
      }
      do {
        var record = try step()
        // With eval-every set the target is checked at those evaluations only (StopCondition.accuracy).
        if condition.accuracy != nil, config.evalEvery == 0, record.testAccuracy == nil {
          record.store(try evaluate())
          replaceLast(record)
        }
        // A subset's evaluation (test-subset) meeting the accuracy target is confirmed on the whole test set: the
        // run stops on, and the record keeps, the figure of every test example, which a sweep's target reads too.
        if let target = condition.accuracy, let accuracy = record.testAccuracy, accuracy >= target,
           let examples = record.testExamples, examples < dataset.test.count {
          record.store(try evaluateFullTestSet())
          replaceLast(record)
        }
        records.append(record)
        onStep(record)
        if let every = config.autosave, every > 0, stepCount % every == 0 {
          do {
            try save(to: config.autosaveFile ?? ExperimentConfig.defaultAutosaveFile)
          } catch {
            return RunOutcome(records: records, reason: .failed("Autosave after step \(stepCount) failed: \(error)"))
          }
        }
        if let target = condition.loss, record.trainLoss <= target { return RunOutcome(records: records, reason: .loss) }
        if let target = condition.accuracy, let accuracy = record.testAccuracy, accuracy >= target {
          return RunOutcome(records: records, reason: .accuracy)
        }
        if let target = condition.distance, let distance = record.distanceToOptimum, distance <= target {
          return RunOutcome(records: records, reason: .distance)
        }
      } catch let stop as ExperimentStop {
        // A divergence may undo the step before it: its record goes too.
        records.removeAll { $0.step > stepCount }
        return RunOutcome(records: records, reason: .diverged(stop.description))
      } catch {
        return RunOutcome(records: records, reason: .failed("Step \(stepCount + 1) failed: \(error)"))
      }
    }
  }

  func replaceLast(_ record: StepRecord) {
    history[history.count - 1] = record
  }
}
