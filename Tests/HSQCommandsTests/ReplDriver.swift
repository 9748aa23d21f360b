import Foundation
import HSQCore
#if canImport(Glibc)
  import Glibc
#endif

/// A built `hsq-repl --json --keep-going` driven through pipes: one command in, its JSON line out.
///
/// The session reads standard input a line at a time and flushes after every command, so a
/// test can change files between commands (edit an add-on, then `reload`).
final class ReplDriver {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// One command's answer.
  struct Answer {
    let ok: Bool
    let result: [String: Any]
    /// The answer's `result` when it is an array (e.g. `reload`).
    let results: [[String: Any]]
    /// The answer's `result` when it is an array of strings (e.g. `help`, `apropos`).
    let strings: [String]
    var error: String { result["error"] as? String ?? "" }
  }

  /// The directory `swift test` built into: the test bundle's, where hsq-repl and hsq-new-compressor are.
  static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

  let process: ChildProcess
  private let errorLog: URL
  private var buffer: [UInt8] = []

  /// Starts hsq-repl in `directory`, with `environment` added to this process's.
  init(directory: URL, environment: [String: String] = [:]) throws {
    errorLog = directory.appendingPathComponent("stderr-\(UUID()).log")
    process = try ChildProcess(
      path: Self.products.appendingPathComponent("hsq-repl").path, ["--json", "--keep-going"],
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: directory.path,
      input: .pipe, output: .pipe, errors: .file(errorLog.path))
  }

  /// What the session wrote to standard error so far (the `<stdin>:N: message` lines).
  var errors: String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }

  /// Sends `line` and waits (up to `timeout` seconds) for its JSON answer.
  func send(_ line: String, timeout: Double = 120) throws -> Answer {
    process.input?.write(Data((line + "\n").utf8))
    let text = try readLine(timeout: timeout, command: line)
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
      throw Failure(description: "'\(line)' answered with \(text), not a JSON object")
    }
    return Answer(ok: object["ok"] as? Bool ?? false, result: object["result"] as? [String: Any] ?? [:],
                  results: object["result"] as? [[String: Any]] ?? [], strings: object["result"] as? [String] ?? [])
  }

  /// Closes standard input and waits (up to `timeout` seconds) for the session to end; returns how it ended.
  func finish(timeout: Double = 120) throws -> ChildProcess.Termination {
    try process.input?.close()
    return try process.wait(timeout: timeout)
  }

  private func readLine(timeout: Double, command: String) throws -> String {
    let fd = process.output!.fileDescriptor
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      if let newline = buffer.firstIndex(of: 10) {
        let line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeSubrange(...newline)
        return line
      }
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else { throw Failure(description: "'\(command)' gave no answer within \(timeout) s; stderr: \(errors)") }
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, Int32(remaining * 1000)) > 0 else { continue }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = read(fd, &chunk, chunk.count)
      guard count > 0 else { throw Failure(description: "hsq-repl closed its output after '\(command)'; stderr: \(errors)") }
      buffer.append(contentsOf: chunk[..<count])
    }
  }
}

/// A fresh directory under the temporary directory, removed by `remove()`.
struct ScratchDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-add-on-test-\(UUID())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// Writes `text` to `name` inside the directory.
  func write(_ name: String, _ text: String) throws {
    try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  func remove() { try? FileManager.default.removeItem(at: url) }
}
