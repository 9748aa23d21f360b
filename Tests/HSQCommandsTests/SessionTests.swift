import Foundation
import HSQCommands
import Testing

/// The command engine without a terminal: string in, output out, the session survives every error.
@Suite struct SessionTests {
  /// A session with a small, fast experiment `e` (least squares on 4 features).
  static func session() -> Session {
    let s = Session()
    s.workingDirectory = FileManager.default.temporaryDirectory.path
    let out = s.execute("experiment e dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05 compressor=hsq:dim=2,k=4,codebook=gaussian,norm-bits=32 compress-threshold=0")
    precondition(!out.isError, out.error ?? "")
    return s
  }

  @Test func unknownCommandSuggestsTheClosestAndTheSessionGoesOn() {
    let s = Self.session()
    let out = s.execute("stpe 2")
    #expect(out.error == "Unknown command 'stpe'. Did you mean 'step'? Try 'help' or 'apropos stpe'.")
    #expect(!s.execute("step 2").isError)
    #expect(s.execute("show").text.hasPrefix("step 2"))
  }

  @Test func badInputGivesOneClearErrorEach() {
    let s = Self.session()
    let cases: [(String, String)] = [
      ("step -3", "positive whole number"),
      ("set lr abc", "'abc' is not a number"),
      ("set compresor hsq", "Did you mean 'compressor'?"),
      ("set compressor hsqq", "Did you mean 'hsq'?"),
      ("set compressor hsq:dim=0", "out of range"),
      ("set workers 3", "cannot change after step 0"),
      ("run", "needs a stop condition"),
      ("let q = hsq:foo=1", "no such parameter"),
      ("let 9q = hsq", "not a valid name"),
      ("plot lss", "Did you mean 'loss'?"),
      ("show --last x", "not a whole number"),
      ("load /nonexistent.json", "no such file"),
      ("help \"unclosed", "unclosed quote"),
      ("theory --samples 10 --layer nope", "Unknown layer 'nope'"),
      ("use q", "Unknown variable 'q'"),
    ]
    _ = s.execute("step")
    for (line, fragment) in cases {
      let out = s.execute(line)
      #expect(out.isError, "'\(line)' should fail")
      #expect(out.error?.contains(fragment) == true, "'\(line)' said: \(out.error ?? "nothing")")
      #expect(out.error?.contains("\n") == false, "'\(line)': one line")
    }
    #expect(!s.execute("step").isError, "the session survives")
  }

  @Test func helpReadsTheDeclarations() {
    let s = Session()
    #expect(s.execute("help").text.contains("step"))
    let step = s.execute("help step").text
    #expect(step.hasPrefix("step — Advances the current experiment by N steps"))
    #expect(step.contains("Usage: step [<count>]"))
    let hsq = s.execute("help hsq").text
    #expect(hsq.contains("norm-bits"))
    #expect(hsq.contains("int 1...32"))
    #expect(s.execute("??theory").text.contains("Monte Carlo"))
    #expect(s.execute("apropos codeword").text.contains("compressor hsq "))
    #expect(s.execute("list compressors").text.contains("hsq-unbiased"))
    #expect(s.execute("help lr").text.contains("Learning rate"))
  }

  @Test func describeShowsTheoryAndRealBits() {
    let s = Session()
    let out = s.execute("describe hsq:dim=16,k=256,codebook=gaussian,norm-bits=6 --d 1600")
    #expect(out.text.contains("bits (d = 1600)"))
    #expect(out.text.contains("1564"), "100 sub-vectors × (8 + 7) + 64 bits")
  }

  @Test func variablesAndSwapsAreRecordedInTheEventLog() {
    let s = Self.session()
    #expect(!s.execute("let q = compressor hsq-unbiased:dim=2,k=4,codebook=gaussian").isError)
    _ = s.execute("step 3")
    let out = s.execute("set compressor q")
    #expect(!out.isError, "\(out.error ?? "")")
    _ = s.execute("step 2")
    #expect(s.execute("show events").text.contains("hsq-unbiased"))
    #expect(s.execute("show config").text.contains("hsq-unbiased:dim=2,k=4"))
  }

  /// A stochastic compressor (QSGD), so the Monte Carlo mean has a standard error to test:
  /// each compressed layer's mean within 5 SE of the exact ρ (a false failure once in 1.7 million).
  @Test func theoryTableHasAVerdictPerCompressedLayer() {
    let s = Self.session()
    #expect(!s.execute("experiment q dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05 compressor=qsgd compress-threshold=0").isError)
    _ = s.execute("step 2")
    let out = s.execute("theory --samples 400 --z 5")
    #expect(!out.isError, "\(out.error ?? "")")
    let rows = out.text.split(separator: "\n").filter { $0.hasPrefix("linear.") }
    #expect(rows.count == 2, "\(out.text)")
    for row in rows { #expect(row.hasSuffix("within CI"), "\(row)") }
    // The weight (d = 4) is rounded at random; the bias (d = 1, its own bucket maximum) exactly.
    #expect(rows.first { $0.hasPrefix("linear.weight") }.map { !$0.contains("± 0.0000") } == true, "\(rows)")
  }

  /// The `compare` row of experiment `name`: its cells after the name.
  static func compareRow(_ table: String, _ name: String) -> [Substring]? {
    table.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { $0.split(separator: " ").dropFirst().map { $0 } }
  }

  /// step, loss (4 decimals) and total bits up of `name`'s last record.
  static func summary(_ s: Session, _ name: String) -> [String] {
    guard case let .experiment(e)? = s.variables[name], let r = e.history.last else { return [] }
    return [String(r.step), String(format: "%.4f", r.trainLoss), "\(r.cumulativeBitsUp) bit"]
  }

  @Test func compareExportSaveLoad() throws {
    let s = Self.session()
    _ = s.execute("step 3")
    _ = s.execute("experiment f dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05")
    _ = s.execute("step 3")
    let table = s.execute("compare e f").text
    for name in ["e", "f"] {
      let row = try #require(Self.compareRow(table, name), "no row for \(name) in \(table)").joined(separator: " ")
      for cell in Self.summary(s, name) { #expect(row.contains(cell), "\(name): '\(cell)' not in '\(row)'") }
    }
    #expect(Self.compareRow(table, "f")?.contains("identity") == true && Self.compareRow(table, "e")?.contains("hsq:dim=2,k=4,codebook=gaussian,seed=0,norm-bits=32") == true, "\(table)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-session-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(!s.execute("export \(dir)/m.csv --on e").isError)
    #expect(try String(contentsOfFile: dir + "/m.csv", encoding: .utf8).split(separator: "\n").count == 4)
    #expect(!s.execute("save \(dir)/e.safetensors --on e").isError)
    #expect(!s.execute("load \(dir)/e.safetensors --as g").isError)
    _ = s.execute("step 2 ")
    _ = s.execute("use e")
    _ = s.execute("step 2")
    // g, loaded from e's checkpoint and stepped as far, is e again: the same row but the name.
    let again = s.execute("compare e g").text
    let (e, g) = (Self.compareRow(again, "e"), Self.compareRow(again, "g"))
    #expect(e != nil && e == g, "\(again)")
    #expect(Self.summary(s, "e").first == "5" && e?.first == "5", "\(again)")
  }

  @Test func recordedSessionsReplayBitIdentically() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-record-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = Session()
    s.workingDirectory = dir
    #expect(!s.execute("record run.hsq").isError)
    _ = s.execute("experiment e dataset=linear:d=4,n=64 model=least-squares workers=2 batch=8 compressor=hsq-unbiased:dim=2,k=4,codebook=gaussian compress-threshold=0 ef=false")
    _ = s.execute("step 4")
    _ = s.execute("set lr 0.02")
    _ = s.execute("step 3")
    #expect(!s.execute("record stop").isError)
    let script = try String(contentsOfFile: dir + "/run.hsq", encoding: .utf8)
    #expect(script.contains("# check e step=7 digest="))
    #expect(script.contains("seed=0"), "the seed and every setting are written")
    let check = Session()
    check.workingDirectory = dir
    let out = check.execute("replay run.hsq --check")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.contains("identical"))
    // A tampered script no longer matches.
    try script.replacingOccurrences(of: "set lr 0.02", with: "set lr 0.03").write(toFile: dir + "/bad.hsq", atomically: true, encoding: .utf8)
    #expect(check.execute("replay bad.hsq --check").error == "replay of bad.hsq is not bit-identical.")
  }

  @Test func completionKnowsTheContext() {
    let s = Self.session()
    #expect(s.complete("st", cursor: 2).candidates == ["step"])
    #expect(s.complete("help hsq-", cursor: 9).candidates.contains("hsq-unbiased"))
    #expect(s.complete("let q = compressor hsq:di", cursor: 25).candidates == ["hsq:dim="])
    #expect(s.complete("let q = compressor hsq:dim=4,no", cursor: 31).candidates == ["hsq:dim=4,norm-bits="])
    #expect(s.complete("set compressor qs", cursor: 17).candidates == ["qsgd"])
    #expect(s.complete("set ef ", cursor: 7).candidates == ["false", "true"])
    #expect(s.complete("experiment x lr", cursor: 15).candidates == ["lr-decay-every=", "lr-decay=", "lr="])
    #expect(s.complete("experiment x compressor=hsq-l", cursor: 29).candidates == ["compressor=hsq-log"])
    #expect(s.complete("plot --", cursor: 7).candidates.contains("--svg"))
    #expect(s.complete("use ", cursor: 4).candidates == ["e"])
    #expect(s.complete("describe hs", cursor: 11).start == 9)
  }
}
