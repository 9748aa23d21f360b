import Foundation
import Testing

/// n-bit stochastic scalars have 2ⁿ + 1 levels and cost n + 1 bits, so "6-bit scalars" understates them by one:
/// the README, docs/ and the notebooks this checks quote them as "n = 6 (7 bits)".
@Suite struct ScalarBitsWordingTests {
  static let documents = DocumentLinksTests.documents

  /// `6-bit scalars`, `6-bit stochastic rounding`: a bit count attached to the scalars without n (float32's
  /// `32-bit scalar` is exact).
  static func misquotes(in text: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: "\\b(?!32-)[0-9]+-bit (scalars?|stochastic)")
    let range = NSRange(text.startIndex..., in: text)
    return pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
  }

  @Test func theWordingCheckFindsTheOldPhrase() {
    #expect(Self.misquotes(in: "D = 16, K = 256, 6-bit scalars") == ["6-bit scalars"])
    #expect(Self.misquotes(in: "n = 6 (7 bits) scalars; one 32-bit scalar").isEmpty)
  }

  @Test(arguments: documents) func scalarBitsAreQuotedWithN(_ document: String) throws {
    let text = try String(contentsOf: DocumentLinksTests.root.appendingPathComponent(document), encoding: .utf8)
    #expect(Self.misquotes(in: text).isEmpty, "\(document): \(Self.misquotes(in: text)) — write 'n = 6 (7 bits)'")
  }
}
