import HSQ
@testable import HSQCommands
import Testing

/// `check` shows a contract check that had nothing to check as "n/a" with the reason, not as a pass of 0 cases,
/// and counts only the applicable checks in its summary.
@Suite struct ContractCheckDisplayTests {
  @Test func aBiasedCompressorsUnbiasednessIsNotApplicable() throws {
    let out = Session().execute("check topk --draws 20")
    #expect(!out.isError, "\(out.error ?? "")")
    let row = try #require(out.text.split(separator: "\n").first { $0.hasPrefix("unbiasedness") })
    #expect(row.contains("n/a") && row.contains("declared biased") && !row.contains("pass"), "\(row)")
    #expect(out.text.contains("'topk' passes all 7 applicable contract checks (1 not applicable)."), "\(out.text)")
    #expect(out.json.rendered.contains(#"{"name":"unbiasedness","passed":true,"applies":false,"cases":0,"detail":"declared biased"}"#),
            "\(out.json.rendered)")
  }

  @Test func anUnbiasedCompressorRunsEveryCheck() {
    let out = Session().execute("check hsq-unbiased:dim=4,k=8 --draws 20")
    #expect(!out.isError && !out.text.contains("n/a"), "\(out.text)")
    #expect(out.text.contains("passes all 8 contract checks."), "\(out.text)")
  }
}
