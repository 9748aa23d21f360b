import Foundation
import Testing
@testable import HSQNotebook

/// Notebooks from elsewhere: CRLF files, no blocks, writes outside the scratch folder, code, cycles (issue 11, items 2, 12, 13).
@Suite struct NotebookTrustTests {
  static func folder() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-nbtrust-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }

  static let experiment = "experiment e model=least-squares dataset=linear:d=4,n=64 compressor=hsq:dim=2,k=4"

  /// Runs the notebook `text` (saved as nb.md in `folder`) as `check` would run it: confined to a scratch folder.
  static func execute(_ text: String, in folder: String, allowLoad: Bool = false) throws {
    let path = folder + "/nb.md"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let scratch = folder + "/scratch"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    var runner = NotebookRunner()
    runner.allowLoad = allowLoad
    try runner.execute(try Notebook(parsing: text), path: path, inputs: folder, outputs: scratch, confined: true) { _, _, _ in }
  }

  @Test func crlfNotebooksHaveTheirBlocks() throws {
    let lf = "# T\n\n```hsq\nhelp step\nstep 3   # quick: step 2\n```\n<!-- hsq:output -->\n```text\nout\n```\n<!-- hsq:end -->\nend\n"
    let crlf = try Notebook(parsing: lf.replacingOccurrences(of: "\n", with: "\r\n"))
    #expect(crlf.blocks.count == 1)
    #expect(crlf == (try Notebook(parsing: lf)))
  }

  @Test func checkingACRLFNotebookWithABadCommandFails() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/bad.md"
    try "# Bad\r\n\r\n```hsq\r\nnosuchcommand\r\n```\r\n<!-- hsq:output -->\r\n```text\r\n```\r\n<!-- hsq:end -->\r\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: NotebookError.self) { try NotebookRunner().check(path: path) }
  }

  @Test func checkingANotebookWithoutBlocksIsAnError() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/prose.md"
    try "# Only prose\n\nNo commands here.\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: NotebookError.noBlocks(path: path)) { try NotebookRunner().check(path: path) }
  }

  @Test func aCheckedNotebookWritesOnlyInsideItsScratchFolder() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let victim = folder + "/victim.csv"
    try "precious".write(toFile: victim, atomically: true, encoding: .utf8)
    for target in [victim, "../victim.csv", "sub/../../victim.csv"] {
      let text = "```hsq\n\(Self.experiment)\nstep 1\nexport \(target)\n```\n"
      #expect {
        try Self.execute(text, in: folder)
      } throws: { error in
        guard case let NotebookError.commandFailed(_, _, message) = error else { return false }
        return message.contains("outside the folder")
      }
      #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious", "'export \(target)' did not overwrite")
    }
  }

  @Test func aNotebookLoadsCodeOnlyWhenAllowed() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect {
      try Self.execute("```hsq\nload Plugin.swift\n```\n", in: folder)
    } throws: { error in
      guard case let NotebookError.commandFailed(_, _, message) = error else { return false }
      return message.contains("--allow-load")
    }
    #expect {
      try Self.execute("```hsq\nload Plugin.swift\n```\n", in: folder, allowLoad: true)
    } throws: { error in
      guard case let NotebookError.commandFailed(_, _, message) = error else { return false }
      return message.contains("There is no file or directory")
    }
  }

  @Test func aBlockThatReplaysAScriptReplayingItselfFails() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try "replay self.hsq\n".write(toFile: folder + "/self.hsq", atomically: true, encoding: .utf8)
    #expect {
      try Self.execute("```hsq\nreplay self.hsq\n```\n", in: folder)
    } throws: { error in
      guard case let NotebookError.commandFailed(_, _, message) = error else { return false }
      return message.contains("replays itself")
    }
  }
}
