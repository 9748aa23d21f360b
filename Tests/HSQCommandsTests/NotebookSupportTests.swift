import Foundation
import HSQCommands
import Testing

/// What notebooks rely on in the command engine: comparison tables, log axes, outputs without wall times.
@Suite struct NotebookSupportTests {
  @Test func severalCodebooksGiveOneComparisonTable() {
    let s = Session()
    let out = s.execute("codebook orthogonal:dim=4,k=4 gaussian:dim=4,k=8 cross-polytope:dim=4,k=8 --samples 500")
    #expect(!out.isError, "\(out.error ?? "")")
    let lines = out.text.components(separatedBy: "\n")
    #expect(lines.count == 5, "a header, a rule and a row per codebook")
    #expect(lines[0].hasPrefix("codebook") && lines[0].contains("ω₂ (pinv)") && lines[0].contains("mean cos²θ"))
    // Orthonormal K = D: ω₂ = D − 1 = 3 exactly, δ = 1/D (THEORY.md §2–3).
    #expect(lines[2].hasPrefix("orthogonal:dim=4,k=4") && lines[2].contains(" 3 "))
    #expect(s.execute("codebook gaussian:dim=4,k=8 gaussian:dim=4,k=16 --export a.fvecs").error?.contains("single spec") == true)
    #expect(s.execute("codebook gaussian:dim=4,k=8").text.contains("D × K"), "one codebook keeps the figure list")
  }

  @Test func timingsCanBeLeftOut() {
    let s = Session()
    s.showsTimings = false
    let text = s.execute("codebook kmeans:dim=4,k=8,samples-per-codeword=8,iterations=2").text
    #expect(text.contains("training") && !text.hasSuffix(" s"), "\(text)")
  }

  @Test func plotsTakeALogarithmicXAxis() throws {
    let s = Session()
    s.workingDirectory = FileManager.default.temporaryDirectory.path
    _ = s.execute("experiment e dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 compressor=identity compress-threshold=0")
    _ = s.execute("step 5")
    let name = "hsq-logx-\(UUID().uuidString).svg"
    let out = s.execute("plot loss --x bits --logx --svg \(name)")
    #expect(!out.isError, "\(out.error ?? "")")
    defer { try? FileManager.default.removeItem(atPath: out.files.first ?? "") }
    #expect(out.files.count == 1)
    #expect(s.execute("help plot").text.contains("--logx"))
  }
}
