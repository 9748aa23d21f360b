import Foundation
import HSQ
import Testing

@testable import HSQCommands

/// `plot`'s figure options: legend labels from the settings or `--labels`, `--title`, `--smooth`, `--width`/`--height`
/// (and `--rows`), accuracy in %.
@Suite struct PlotCommandTests {
  /// A session with two experiments, `sgd` (uncompressed) and `hsq` (with error feedback), 6 steps each, evaluated every 2.
  static func session() -> Session {
    let s = SweepCommandTests.session()
    let base = SweepCommandTests.base
    for line in ["experiment sgd \(base) compressor=identity eval-every=2", "experiment hsq \(base) compressor=hsq:dim=8,k=16 ef=true eval-every=2"] {
      _ = SweepCommandTests.run(s, line)
      _ = SweepCommandTests.run(s, "run --steps 6")
    }
    return s
  }

  @Test func legendLabelsDescribeTheExperimentsOrComeFromLabels() throws {
    let s = Self.session()
    let out = s.execute("plot loss --experiments sgd,hsq --svg loss.svg")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.contains("─●─ uncompressed") && out.text.contains("─▲─ hsq (dim=8, k=16) + EF"), "\(out.text)")
    let svg = try String(contentsOfFile: s.workingDirectory + "/loss.svg", encoding: .utf8)
    #expect(svg.contains(">Training loss — mlp:hidden=32 on gaussian-mixture, 4 workers × batch 16</text>"))
    #expect(svg.contains(">hsq (dim=8, k=16) + EF</text>"))
    let labelled = s.execute("plot loss --experiments sgd,hsq --labels \"SGD | HSQ, EF\" --title \"Loss\"")
    #expect(labelled.text.contains("─●─ SGD") && labelled.text.contains("─▲─ HSQ, EF") && labelled.text.contains("Loss"))
    #expect(s.execute("plot loss --experiments sgd,hsq --labels SGD").error
      == "'--labels' gives 1 label(s) for 2 experiment(s); give one per experiment, in order, separated by '|' (e.g. --labels \"SGD|HSQ + EF\").")
  }

  @Test func accuracyIsInPercentWithItsEvaluationsJoined() throws {
    let s = Self.session()
    let out = s.execute("plot accuracy --experiments sgd,hsq --svg acc.svg")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.contains("%┤"), "\(out.text)")
    let svg = try String(contentsOfFile: s.workingDirectory + "/acc.svg", encoding: .utf8)
    #expect(svg.contains("%</text>") && svg.contains("<polyline"), "evaluation points are joined by lines")
  }

  @Test func sizeAndSmoothing() throws {
    let s = Self.session()
    let out = s.execute("plot loss --smooth 3 --svg big.svg --width 900 --height 500 --rows 10")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.split(separator: "\n").count == 11, "10 rows and the 'Wrote' line")
    #expect(out.text.contains("training loss (EMA, span 3)"))
    let svg = try String(contentsOfFile: s.workingDirectory + "/big.svg", encoding: .utf8)
    #expect(svg.contains(#"width="900" height="500""#))
    let raw = try s.experiment("hsq").history.map(\.trainLoss)
    let json = out.json.rendered
    #expect(json.contains(raw.map { JSONValue.number($0).rendered }.joined(separator: ",")), "the JSON keeps the raw values")
    #expect(s.execute("plot loss --width 900").error == "'--width' sizes the SVG figure in pixels; add '--svg FILE' (terminal rows are '--rows N').")
    #expect(s.execute("plot loss --smooth 0").error == "'--smooth 0' is not a whole number in 1...1000000.")
  }
}
