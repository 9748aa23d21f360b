import Foundation
import HSQCore
@testable import HSQExperiments
import Testing

/// Both exported tables go through one writer: the same CSV and JSON-lines rules, the same error.
@Suite struct TableTextTests {
  @Test func bothTablesWriteNumbersAndMissingValuesAlike() {
    let text = TableText(columns: ["name", "x", "y"], rows: [[.text("a,\"b\""), .number(3), .number(nil)], [.text("c"), .number(0.25), .number(.nan)]])
    #expect(text.csv == "name,x,y\n\"a,\"\"b\"\"\",3,\nc,0.25,NaN\n")
    #expect(text.jsonLines == "{\"name\": \"a,\\\"b\\\"\", \"x\": 3, \"y\": null}\n{\"name\": \"c\", \"x\": 0.25, \"y\": null}\n")
  }

  @Test func anUnknownExtensionIsTheStructuredError() {
    let expected = HSQError.unknownExtension(path: "m.txt", what: "format", extensions: ["csv", "jsonl"], alternative: nil)
    #expect(throws: expected) { try MetricsTable([]).write(to: "m.txt") }
    #expect(throws: expected) { try LongMetricsTable([]).write(to: "m.txt") }
  }
}
