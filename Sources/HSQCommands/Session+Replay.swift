import Foundation
import HSQ

extension Session {
  /// `replay FILE`: runs a script's commands in this session, or with `check` in a fresh one and compares its `# check` lines.
  ///
  /// The file goes on ``fileStack`` while it runs (so it cannot replay itself), loads code only with
  /// `allowLoad` (or when the session already allows it), and stops at the line running when the
  /// command's ``Cancellation`` is cancelled: `Interrupted at FILE:LINE`.
  func replay(_ file: String, check: Bool, allowLoad: Bool) throws -> CommandOutput {
    let path = resolvePath(file)
    let lines = String(decoding: try FileBytes.read(path, shown: file), as: UTF8.self).textLines
    let target = check ? Session(commandTable: commandTable) : self
    target.workingDirectory = workingDirectory
    target.outputDirectory = outputDirectory
    target.confinesWrites = confinesWrites
    target.fileStack = fileStack
    let allowedBefore = target.allowsLoadFromFiles
    target.allowsLoadFromFiles = allowsLoadFromFiles || allowLoad
    defer { target.allowsLoadFromFiles = allowedBefore }
    var count = 0
    try target.running(file: path, shown: file) {
      for (i, line) in lines.enumerated() {
        let trimmed = line.trimmingWhitespace()
        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
        let output = target.execute(trimmed)
        if Cancellation.current?.isCancelled == true { throw HSQError.invalidState("Interrupted at \(file):\(i + 1) ('\(trimmed)'); the commands before it ran, the rest did not.") }
        if let error = output.error { throw HSQError.atLine(file: file, line: i + 1, message: error) }
        count += 1
      }
    }
    guard check else { return CommandOutput(text: "Replayed \(count) commands from \(file).", json: .object([("commands", .int(count))])) }
    let checks = SessionRecorder.checks(in: lines)
    guard !checks.isEmpty else { throw HSQError.invalidArgument("\(file) has no '# check' lines to verify; record it with 'record FILE' … 'record stop'.") }
    var table = TextTable(columns: ["experiment", "step", "digest", "result"])
    var allMatch = true
    for c in checks {
      let e = try target.experiment(c.name)
      let digest = SessionRecorder.digest(e)
      let ok = e.stepCount == c.step && digest == c.digest
      allMatch = allMatch && ok
      table.append([c.name, String(e.stepCount), digest, ok ? "identical" : "DIFFERS (expected step \(c.step), \(c.digest))"])
    }
    let output = CommandOutput(text: table.render(maxWidth: terminalWidth), json: .object([("identical", .bool(allMatch)), ("commands", .int(count))]))
    if !allMatch { var failed = output; failed.error = "replay of \(file) is not bit-identical."; return failed }
    return output
  }

  /// Runs `body` with the file at `path` (as typed: `shown`) on ``fileStack``.
  ///
  /// - Throws: when the file is already being run (a script that replays itself, directly or
  ///   through others) or the stack is ``maximumFileDepth`` deep, naming the chain.
  public func running<T>(file path: String, shown: String, _ body: () throws -> T) throws -> T {
    let key = URL(fileURLWithPath: path).standardized.resolvingSymlinksInPath().path
    let chain = (fileStack + [key]).map(displayPath).joined(separator: " → ")
    if fileStack.contains(key) {
      throw HSQError.invalidArgument("'\(shown)' replays itself (\(chain)); remove the 'replay' line that closes the cycle.")
    }
    guard fileStack.count < Self.maximumFileDepth else {
      throw HSQError.invalidArgument("Scripts nest more than \(Self.maximumFileDepth) deep (\(chain)); replay fewer files from one another.")
    }
    fileStack.append(key)
    defer { fileStack.removeLast() }
    return try body()
  }

  /// Refuses to compile code for a command read from a file unless the session was given `--allow-load`.
  func requireLoadPermission(_ path: String) throws {
    guard let file = fileStack.last, !allowsLoadFromFiles else { return }
    throw HSQError.invalidState("'\(displayPath(file))' wants to compile and run code ('load \(path)'); if you trust it, run it again with --allow-load.")
  }

  /// `path` relative to the working directory when inside it.
  func displayPath(_ path: String) -> String {
    let prefix = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }
}
