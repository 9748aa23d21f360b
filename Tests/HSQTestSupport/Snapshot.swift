import Foundation
import Testing

/// Compares `text` with the golden file `__Snapshots__/<name>` next to the calling test file, exactly.
///
/// Set `HSQ_RECORD_SNAPSHOTS=1` to (re)write the golden files instead; a
/// recording run still records an issue so that it can never pass by
/// accident. A missing golden file is written and reported the same way.
/// On a mismatch the issue names the first differing line and shows both
/// versions of it, and the actual text is written to
/// `$TMPDIR/hsq-snapshots/<name>` (to diff, or to copy over the golden file)
/// so that a failing run leaves nothing in the checkout.
///
/// - Parameters:
///   - text: the rendered output.
///   - name: the golden file's name, e.g. `loss-curve.txt` (`.txt` is added when it has no extension).
///   - filePath: the calling test file; the snapshot folder sits beside it.
///   - sourceLocation: where to report a failure.
public func assertSnapshot(
  _ text: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
  let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
  let file = folder.appendingPathComponent(name.contains(".") ? name : name + ".txt")
  let actualFolder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hsq-snapshots")
  let actualFile = actualFolder.appendingPathComponent(file.lastPathComponent)
  let recording = ProcessInfo.processInfo.environment["HSQ_RECORD_SNAPSHOTS"] == "1"
  let golden = try? String(contentsOf: file, encoding: .utf8)
  if recording || golden == nil {
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data(text.utf8).write(to: file, options: .atomic)
      try? FileManager.default.removeItem(at: actualFile)
      let why = recording ? "HSQ_RECORD_SNAPSHOTS=1" : "there was none"
      Issue.record(
        "Recorded snapshot '\(file.lastPathComponent)' (\(why)); run again without HSQ_RECORD_SNAPSHOTS to check it.",
        sourceLocation: sourceLocation)
    } catch {
      Issue.record("Cannot write snapshot '\(file.path)': \(error).", sourceLocation: sourceLocation)
    }
    return
  }
  guard let golden, golden != text else {
    try? FileManager.default.removeItem(at: actualFile)
    return
  }
  try? FileManager.default.createDirectory(at: actualFolder, withIntermediateDirectories: true)
  try? Data(text.utf8).write(to: actualFile, options: .atomic)
  let expectedLines = golden.components(separatedBy: "\n"), actualLines = text.components(separatedBy: "\n")
  let line = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    ?? min(expectedLines.count, actualLines.count)
  func show(_ lines: [String]) -> String { line < lines.count ? "'\(lines[line])'" : "(no line)" }
  Issue.record(
    """
    Snapshot '\(file.lastPathComponent)' differs at line \(line + 1) \
    (golden \(expectedLines.count) lines, actual \(actualLines.count)).
      golden: \(show(expectedLines))
      actual: \(show(actualLines))
    The actual text is in '\(actualFile.path)'; re-record with HSQ_RECORD_SNAPSHOTS=1 if the change is intended.
    """,
    sourceLocation: sourceLocation)
}
