import Foundation
import HSQ
import Testing

@testable import HSQCommands

/// The wire figures of a transport backend (bytes up and down, per-phase times) reach `show`, `compare`,
/// `export` and `plot`; in-process experiments keep their outputs and say where the figures come from.
@Suite struct WireFiguresTests {
  /// The threads backend, reporting a fixed wire record per step as a transport would.
  final class WiredBackend: WorkerBackend {
    let inner = ThreadWorkerBackend()
    static let wire = WireRecord(
      bytesDown: 4_000, bytesUp: 3_000, payloadBytesUp: 1_000, diagnosticBytesUp: 1_500, processes: 2,
      exchangeSeconds: 0.004, slowestWorkerSeconds: 0.003)

    func configure(_ environment: WorkerEnvironment) throws { inner.configure(environment) }
    func run(_ request: RoundRequest) throws -> [WorkerReply] { try inner.run(request) }
    func commit(keepingUndoPoint: Bool) throws { inner.commit(keepingUndoPoint: keepingUndoPoint) }
    func discard() throws { inner.discard() }
    func rollBack() throws { inner.rollBack() }
    func memories() throws -> [WorkerMemory] { inner.memories() }
    func setMemories(_ memories: [WorkerMemory]) throws { try inner.setMemories(memories) }
    func lastInputs() throws -> [[[Float]]] { inner.lastInputs() }
    func takeWireRecord() -> WireRecord? { Self.wire }
  }

  static func session() throws -> Session {
    let s = ExperimentCommandTests.session()
    try s.experiment("e").use(WiredBackend())
    #expect(!s.execute("step 3").isError)
    #expect(!s.execute("experiment plain " + ExperimentCommandTests.settings.joined(separator: " ")).isError)
    #expect(!s.execute("step 3").isError)
    return s
  }

  @Test func showPrintsTheWireFiguresOfTheLastStepAndPerStep() throws {
    let s = try Self.session()
    let last = s.execute("show --on e")
    #expect(last.text.contains("On the wire (2 worker processes): ↑ 3.00 kB (payloads 1.00 kB, diagnostics 1.50 kB) ↓ 4.00 kB"), "\(last.text)")
    #expect(last.text.contains("communicate 1.00 ms"), "\(last.text)")
    let wire = s.execute("show wire --on e")
    #expect(!wire.isError, "\(wire.error ?? "")")
    // The step measures decode + aggregate itself; the exchange figures are the backend's.
    #expect(wire.text.contains("decode + aggregate") && wire.text.contains("4.00 ms") && wire.text.contains("1.50 kB"), "\(wire.text)")
    #expect(wire.text.split(separator: "\n").count >= 5, "a header, a rule, three steps, the note")
    let plain = s.execute("show wire --on plain")
    #expect(plain.isError)
    #expect(plain.error?.contains("backend=mpi") == true, "\(plain.error ?? "")")
    #expect(!s.execute("show --on plain").text.contains("On the wire"))
  }

  @Test func compareAddsTheWireColumnsOnlyWhenAnExperimentHasThem() throws {
    let s = try Self.session()
    let both = s.execute("compare e plain")
    #expect(both.text.contains("wire ↑/step") && both.text.contains("3.00 kB") && both.text.contains("1.00 ms"), "\(both.text)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(both.json.rendered.utf8)) as? [[String: Any]])
    #expect(object[0]["wire_bytes_up_per_step"] as? Double == 3_000)
    #expect(object[1]["wire_bytes_up_per_step"] is NSNull)
    #expect(!s.execute("compare plain").text.contains("wire"))
  }

  @Test func exportWritesWireColumnsOnlyForAWiredExperiment() throws {
    let s = try Self.session()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-wire-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    s.workingDirectory = folder
    #expect(!s.execute("export wired.csv --on e").isError)
    #expect(!s.execute("export plain.csv --on plain").isError)
    let wired = try String(contentsOfFile: folder + "/wired.csv", encoding: .utf8).split(separator: "\n")
    let header = wired[0].split(separator: ",").map(String.init)
    let up = try #require(header.firstIndex(of: "wire.bytes_up"))
    #expect(header.contains("wire.exchange_s") && header.contains("wire.server_s"))
    #expect(wired[1].split(separator: ",", omittingEmptySubsequences: false)[up] == "3000")
    let plain = try String(contentsOfFile: folder + "/plain.csv", encoding: .utf8)
    #expect(!plain.contains("wire."))
    #expect(MetricsTable(try s.experiment("plain").history).columns == header.filter { !$0.hasPrefix("wire.") })
  }

  @Test func plotDrawsTheWireMetricsAndRefusesThemInProcess() throws {
    let s = try Self.session()
    for metric in ["wire-up", "wire-down", "communicate"] {
      let out = s.execute("plot \(metric) --experiments e")
      #expect(!out.isError, "\(metric): \(out.error ?? "")")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(out.json.rendered.utf8)) as? [String: Any])
      let series = try #require((object["series"] as? [[String: Any]])?.first)
      #expect((series["y"] as? [Double])?.count == 3, "\(metric)")
    }
    let y = try #require(((try JSONSerialization.jsonObject(with: Data(s.execute("plot wire-up --experiments e").json.rendered.utf8)) as? [String: Any])?["series"] as? [[String: Any]])?.first?["y"] as? [Double])
    #expect(y == [3_000, 3_000, 3_000])
    let plain = s.execute("plot wire-up --experiments plain")
    #expect(plain.isError && plain.error?.contains("backend=mpi") == true, "\(plain.error ?? "")")
  }
}
