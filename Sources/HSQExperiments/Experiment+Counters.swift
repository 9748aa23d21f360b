import HSQCore

extension Experiment {
  /// `a + b` for a counter that accumulates (steps, examples seen, bits), or a clear error instead of a trap.
  ///
  /// Every count an experiment accumulates goes through here or ``checkedProduct(_:_:_:)``: a
  /// loaded or typed number can be as large as `Int.max`, and overflowing arithmetic traps.
  ///
  /// - Parameter counter: the counter's name for the message.
  static func checkedSum(_ a: Int, _ b: Int, _ counter: String) throws -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    guard !overflow else { throw overflowError(counter) }
    return sum
  }

  /// `a · b`, or the same error as ``checkedSum(_:_:_:)``.
  static func checkedProduct(_ a: Int, _ b: Int, _ counter: String) throws -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    guard !overflow else { throw overflowError(counter) }
    return product
  }

  static func overflowError(_ counter: String) -> HSQError {
    .invalidState("The \(counter) would pass \(Int.max), the largest count hsq keeps; the step is not applied. Start a new experiment to continue.")
  }

  /// The counters after this step's participants, or the error; computed before anything changes.
  func countersAfterStep(participants: Int) throws -> (steps: Int, examples: Int) {
    let steps = try Self.checkedSum(stepCount, 1, "step count")
    let perWorker = try Self.checkedProduct(config.batch, config.stepsPerRound, "examples seen")
    let examples = try Self.checkedSum(examplesSeen, try Self.checkedProduct(participants, perWorker, "examples seen"), "examples seen")
    return (steps, examples)
  }
}
