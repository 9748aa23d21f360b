import Foundation
import HSQCommands
import HSQNotebook

extension Kernel {
  /// Runs a cell: one command a line (blank and `#` lines skipped), in the kernel's session.
  ///
  /// Each command's output goes to iopub as it finishes: plain text as a `stream`, text holding
  /// tables as `text/plain` + `text/html` (the cell's last command as its `execute_result`), an SVG
  /// figure as `image/svg+xml` with the command's text (the terminal plot) as `text/plain`. A `run`'s
  /// progress lines update one display. The first failing command ends the cell with an `error`
  /// carrying the REPL's message; an interrupt ends it after the command running, which stops
  /// between steps. The session goes on either way.
  ///
  /// - Returns: `execute_reply`'s content.
  func execute(_ request: KernelMessage) -> JSONValue {
    let fields = request.contentFields
    let code = fields["code"] as? String ?? ""
    let silent = fields["silent"] as? Bool ?? false
    let storesHistory = (fields["store_history"] as? Bool ?? true) && !silent
    if storesHistory { history.append(code) }
    let count = executionCount
    if !silent {
      publish("execute_input", .object([("code", .string(code)), ("execution_count", .int(count))]), parent: request)
    }
    interrupted.store(false, ordering: .relaxed)
    let commands = code.split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    var display = ProgressDisplay(kernel: self, parent: request)
    session.progress = { display.show($0) }
    defer { session.progress = { _ in } }
    var previousWasStream = false
    for (i, command) in commands.enumerated() {
      if interrupted.load(ordering: .relaxed) { return interruptedReply(count: count, parent: request, silent: silent) }
      let output = session.execute(command)
      display.finish()
      if !silent {
        previousWasStream = emit(output, last: i == commands.count - 1, count: count, parent: request, afterStream: previousWasStream)
      }
      if cancellation.isCancelled || interrupted.load(ordering: .relaxed) {
        return interruptedReply(count: count, parent: request, silent: silent)
      }
      if let error = output.error {
        let traceback = output.text.contains(error) ? [] : ["error: \(error)"]
        return errorReply(name: "Error", value: error, traceback: traceback, count: count, parent: request, silent: silent)
      }
    }
    return .object([
      ("status", .string("ok")), ("execution_count", .int(count)),
      ("user_expressions", .object([])), ("payload", .array([])),
    ])
  }

  /// Publishes one command's output; returns whether it went out as a `stream`.
  func emit(_ output: CommandOutput, last: Bool, count: Int, parent: KernelMessage, afterStream: Bool) -> Bool {
    let figures = output.files.filter { $0.hasSuffix(".svg") }.compactMap { path -> (String, String)? in
      let file = path.hasPrefix("/") ? path : (session.outputDirectory ?? session.workingDirectory) + "/" + path
      guard let data = FileManager.default.contents(atPath: file) else { return nil }
      return (URL(fileURLWithPath: path).lastPathComponent, String(decoding: data, as: UTF8.self))
    }
    if !figures.isEmpty {
      for (i, (name, svg)) in figures.enumerated() {
        let text = i == 0 && !output.text.isEmpty ? output.text : name
        publish("display_data", Self.displayContent(["image/svg+xml": .string(svg), "text/plain": .string(text)],
                                                    metadata: .object([("hsq", .object([("figure", .string(name))]))])), parent: parent)
      }
      return false
    }
    guard !output.text.isEmpty else { return afterStream }
    if let html = RichText.html(output.text) {
      let data: [String: JSONValue] = ["text/plain": .string(output.text), "text/html": .string(html)]
      if last, !output.isError {
        var content = Self.displayContent(data)
        if case var .object(pairs) = content { pairs.insert(("execution_count", .int(count)), at: 0); content = .object(pairs) }
        publish("execute_result", content, parent: parent)
      } else {
        publish("display_data", Self.displayContent(data), parent: parent)
      }
      return false
    }
    let text = (afterStream ? "\n" : "") + output.text + "\n"
    publish("stream", .object([("name", .string("stdout")), ("text", .string(text))]), parent: parent)
    return true
  }

  /// A display's content: MIME bundle, metadata, and `transient` when it carries a display id.
  static func displayContent(_ data: [String: JSONValue], metadata: JSONValue = .object([]), displayID: String? = nil) -> JSONValue {
    var pairs: [(String, JSONValue)] = [
      ("data", .object(data.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })), ("metadata", metadata),
    ]
    if let displayID { pairs.append(("transient", .object([("display_id", .string(displayID))]))) }
    return .object(pairs)
  }

  func interruptedReply(count: Int, parent: KernelMessage, silent: Bool) -> JSONValue {
    errorReply(name: "Interrupted", value: "interrupted; the rest of the cell did not run",
               traceback: ["interrupted; the rest of the cell did not run"], count: count, parent: parent, silent: silent)
  }

  /// Publishes an `error` output (unless `silent`) and returns the failed `execute_reply` content.
  func errorReply(name: String, value: String, traceback: [String], count: Int, parent: KernelMessage, silent: Bool) -> JSONValue {
    let fields: [(String, JSONValue)] = [
      ("ename", .string(name)), ("evalue", .string(value)), ("traceback", .array(traceback.map(JSONValue.string))),
    ]
    if !silent { publish("error", .object(fields), parent: parent) }
    return .object([("status", .string("error")), ("execution_count", .int(count))] + fields)
  }
}

/// One live display for a long command's progress lines: the first line opens it, the next ones replace it.
///
/// Its metadata says `{"hsq": {"progress": true}}`, so tools reading a notebook can tell it from results.
struct ProgressDisplay {
  let kernel: Kernel
  let parent: KernelMessage
  let id = UUID().uuidString.lowercased()
  var shown = false

  init(kernel: Kernel, parent: KernelMessage) {
    self.kernel = kernel
    self.parent = parent
  }

  var last: String?

  mutating func show(_ line: String) {
    publish(line)
    last = line
  }

  /// After the command: the last line stays, without its ETA.
  mutating func finish() {
    guard let line = last, let eta = line.range(of: "  ETA ") else { return }
    publish(String(line[..<eta.lowerBound]))
    last = nil
  }

  private mutating func publish(_ line: String) {
    let content = Kernel.displayContent(["text/plain": .string(line)], metadata: .object([("hsq", .object([("progress", .bool(true))]))]), displayID: id)
    kernel.publish(shown ? "update_display_data" : "display_data", content, parent: parent)
    shown = true
  }
}
