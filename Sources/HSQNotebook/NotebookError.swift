import HSQCore

/// What can go wrong with a notebook, as one message naming the place and the fix.
public enum NotebookError: Error, Equatable, Sendable, UserFacingError {
  case malformed(line: Int, problem: String)
  case commandFailed(block: Int, line: String, message: String)
  case differs(block: Int, firstLine: String, detail: String)
  case missingRecord(path: String)
  case noBlocks(path: String)
  case interrupted(block: Int, line: String)

  public var description: String {
    switch self {
    case let .malformed(line, problem): return "line \(line): \(problem)"
    case let .commandFailed(block, line, message): return "block \(block) ('\(line)') failed: \(message)"
    case let .differs(block, firstLine, detail): return "block \(block) ('\(firstLine)') differs from the recorded output: \(detail)"
    case let .missingRecord(path): return "there is no recorded output at \(path); run 'hsq-repl notebook run' first."
    case let .noBlocks(path): return "\(path) has no ```hsq blocks, so there is nothing to check; put the commands in a block that opens with a line of ```hsq."
    case let .interrupted(block, line): return "interrupted in block \(block) at '\(line)'; the notebook was not written."
    }
  }
}
