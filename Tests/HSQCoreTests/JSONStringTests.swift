import HSQCore
import Testing

/// The one JSON quoting (`--json`, exports): every character JSON forbids raw is escaped, the rest kept.
@Suite struct JSONStringTests {
  @Test(arguments: [
    ("plain", "\"plain\""),
    ("say \"hi\"", "\"say \\\"hi\\\"\""),
    ("a\\b", "\"a\\\\b\""),
    ("line\nbreak\r\ttab", "\"line\\nbreak\\r\\ttab\""),
    ("bell\u{7}", "\"bell\\u0007\""),
    ("ρ ≤ 1 — ok", "\"ρ ≤ 1 — ok\""),
  ])
  func quotes(text: String, quoted: String) {
    #expect(text.jsonQuoted == quoted)
  }
}
