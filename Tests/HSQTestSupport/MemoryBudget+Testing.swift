import HSQCore
import Testing

/// Runs `body` under `budget` (task-local: no process-wide state changes) and returns the message of the
/// memory-limit error it throws; records an issue when it throws anything else or nothing.
///
/// The message must name the limit, say how to raise it, and be one line.
public func overMemoryBudget(
  _ budget: MemoryBudget, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> String? {
  do {
    try MemoryBudget.$current.withValue(budget) { try body() }
    Issue.record("expected the memory limit to refuse this, but it went ahead", sourceLocation: sourceLocation)
  } catch let error as HSQError {
    guard case .overMemoryBudget = error else {
      Issue.record("expected a memory-limit error, got: \(error)", sourceLocation: sourceLocation)
      return nil
    }
    let message = error.description
    #expect(message.contains("the memory limit is \(budget.limitDescription)"), sourceLocation: sourceLocation)
    #expect(message.contains("HSQ_MEMORY_LIMIT") && !message.contains("\n"), sourceLocation: sourceLocation)
    return message
  } catch {
    Issue.record("expected an HSQError, got: \(error)", sourceLocation: sourceLocation)
  }
  return nil
}
