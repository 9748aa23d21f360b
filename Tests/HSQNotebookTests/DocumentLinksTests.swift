import Foundation
import Testing

/// Every relative link in the repository's Markdown (README, docs/, notebooks/) names a file or
/// folder inside the repository, so a newcomer following the documentation never lands outside it.
@Suite struct DocumentLinksTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().standardizedFileURL

  /// README.md and the Markdown files of docs/ and notebooks/ (not the example package's build folders).
  static let documents: [String] = {
    var found = ["README.md"]
    for folder in ["docs", "notebooks"] {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
      found += names.filter { $0.hasSuffix(".md") }.sorted().map { "\(folder)/\($0)" }
    }
    return found
  }()

  /// The targets of `[text](target)` and `![alt](target)` links, without a `#fragment` or `"title"`.
  static func linkTargets(in markdown: String) -> [String] {
    var targets: [String] = []
    var inFence = false
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inFence.toggle(); continue }
      guard !inFence else { continue }
      var rest = Substring(line)
      while let open = rest.range(of: "](") {
        let after = rest[open.upperBound...]
        guard let close = after.firstIndex(of: ")") else { break }
        var target = String(after[..<close])
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        targets.append(target)
        rest = after[close...]
      }
    }
    return targets
  }

  @Test func theLinkParserFindsLinksOutsideCodeOnly() {
    let text = "See [a](docs/A.md#x) and ![p](img.svg \"t\").\n```\n[no](skip.md)\n```\n[web](https://x.org)"
    #expect(Self.linkTargets(in: text) == ["docs/A.md", "img.svg", "https://x.org"])
  }

  @Test(arguments: documents)
  func relativeLinksResolveInsideTheRepository(_ document: String) throws {
    let file = Self.root.appendingPathComponent(document)
    let text = try String(contentsOf: file, encoding: .utf8)
    for target in Self.linkTargets(in: text) where !target.isEmpty && !target.contains("://") && !target.hasPrefix("mailto:") {
      let resolved = file.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
      #expect(resolved.path.hasPrefix(Self.root.path + "/"), "\(document): the link '\(target)' leaves the repository")
      #expect(FileManager.default.fileExists(atPath: resolved.path), "\(document): the link '\(target)' names no file")
    }
  }
}
