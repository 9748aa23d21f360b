import Foundation
import HSQCommands
import HSQCore
import Testing

/// The session's memory limit: the `memory` command, and the limit applied to every command of the session.
@Suite struct MemoryCommandTests {
  @Test func memoryShowsAndSetsTheSessionLimit() throws {
    let session = Session()
    let shown = session.execute("memory")
    #expect(!shown.isError && shown.text.contains(MemoryBudget.processDefault.limitDescription), "\(shown.text)")
    let set = session.execute("memory 64MB")
    #expect(!set.isError, "\(set.error ?? "")")
    #expect(session.memoryBudget.bytes == 64 << 20)
    #expect(session.execute("memory").text.contains("64 MB"))
    let bad = session.execute("memory lots")
    #expect(bad.error?.contains("'lots' is not a memory size") == true, "\(bad.error ?? "")")
    #expect(session.memoryBudget.bytes == 64 << 20)
    #expect(!session.execute("memory default").isError)
    #expect(session.memoryBudget == MemoryBudget.processDefault)
  }

  @Test func anOverBudgetExperimentIsOneLineAndTheSessionGoesOn() throws {
    let session = Session()
    session.memoryBudget = MemoryBudget(bytes: 64 << 20)
    #expect(!session.execute("experiment a model=softmax dataset=gaussian-mixture:d=4,n=64,classes=3 workers=2").isError)
    let refused = session.execute("experiment b model=mlp:hidden=128 dataset=gaussian-mixture:d=4,n=64,classes=3 workers=8 batch=1000000")
    let message = refused.error ?? ""
    #expect(message.hasPrefix("The experiment needs about") && message.contains("the memory limit is 64 MB") && !message.contains("\n"), "\(message)")
    let model = session.execute("experiment c model=mlp:hidden=65536-65536 dataset=gaussian-mixture:d=4,n=64,classes=3")
    #expect(model.error?.contains("the memory limit is 64 MB") == true, "\(model.error ?? "")")
    #expect(!session.execute("step 1").isError, "the current experiment is still 'a'")
  }

  @Test func benchCompressRefusesAnImpossibleLengthWithOneLine() throws {
    let bench = try ChildProcess.run(
      path: ReplDriver.products.appendingPathComponent("hsq-bench").path,
      ["compress", "--d", "1099511627776", "--reps", "1", "--log-d", "0"], timeout: 120)
    let text = bench.errors
    #expect(bench.termination.exitStatus.map { $0 != 0 } == true, "\(text)")
    #expect(text.contains("needs about") && text.contains("the memory limit is"), "\(text)")
  }

  /// Zero lengths and steps ran and printed 0 samples/s (train) or timings of nothing (compress).
  @Test(arguments: [["train", "--steps", "0"], ["compress", "--d", "0", "--log-d", "0"], ["compress", "--reps", "0", "--log-d", "0"]])
  func benchRefusesEmptyRuns(_ arguments: [String]) throws {
    let bench = try ChildProcess.run(path: ReplDriver.products.appendingPathComponent("hsq-bench").path, arguments, timeout: 120)
    #expect(bench.termination.exitStatus.map { $0 != 0 } == true, "\(bench.output)")
    #expect(bench.errors.contains("must be at least 1"), "\(bench.errors)")
  }
}
