import Foundation
import HSQCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `mpirun -n K hsq-mpi script.hsq`: rank 0 runs the same shell as hsq-repl, the other ranks wait
/// for it and leave with it; the script's exit status is the job's.
@Suite(.serialized, .requires(MPIRun.prerequisite, MPIRun.isAvailable))
struct FrontEndTests {
  static let script = """
    experiment e dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05 compress-threshold=0
    step 3
    """

  @Test(arguments: [nil, 1, 3] as [Int?])
  func rank0RunsTheScriptAndEveryRankLeaves(ranks: Int?) throws {
    let folder = try MPIRun.folder(["run.hsq": Self.script])
    let outcome = try MPIRun.run(ranks: ranks, ["run.hsq"], in: folder)
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    #expect(outcome.output.contains("step"), "stdout: \(outcome.output)")
  }

  @Test func aFailingScriptFailsTheJobNamingTheLine() throws {
    let folder = try MPIRun.folder(["bad.hsq": "step 1\n"])
    let outcome = try MPIRun.run(ranks: 2, ["bad.hsq"], in: folder)
    #expect(outcome.status == 1)
    #expect(outcome.errors.contains("bad.hsq:1:"), "stderr: \(outcome.errors)")
  }

  @Test func standardInputReachesRank0() throws {
    let outcome = try MPIRun.run(ranks: 2, [], in: MPIRun.folder(), input: Self.script + "\n")
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    #expect(outcome.output.contains("step"), "stdout: \(outcome.output)")
  }
}

/// What Ctrl-C and `kill -USR1` do to an `hsq-mpi` job (the README's "failure behaviour").
@Suite(.serialized, .requires(MPIRun.prerequisite, MPIRun.isAvailable))
struct JobSignalTests {
  static let long = FrontEndTests.script + "\nrun --steps 100000000\n"

  /// Ctrl-C reaches mpirun, which ends the job: it fails within seconds and leaves no rank behind.
  /// (Rank 0's farewell line is printed when mpirun still forwards its output; the kill test checks it.)
  @Test func controlCEndsTheJob() throws {
    let folder = try MPIRun.folder(["long.hsq": Self.long])
    var ranks: [Int32] = []
    let started = Date()
    let outcome = try MPIRun.run(ranks: 3, ["long.hsq"], in: folder, timeout: 60) { process in
      Thread.sleep(forTimeInterval: 4)
      ranks = ChildProcess.children(of: process.pid)
      process.signal(SIGINT)
    }
    #expect(outcome.status != 0)
    #expect(Date().timeIntervalSince(started) < 30)
    #expect(ranks.count == 3)
    // Ended: gone, or a zombie waiting to be reaped.
    func ended(_ pid: Int32) -> Bool {
      guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
      return status.contains("State:\tZ")
    }
    let deadline = Date().addingTimeInterval(15)
    while !ranks.allSatisfy(ended), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    #expect(ranks.allSatisfy(ended), "every rank has ended")
  }

  /// SIGUSR1, which mpirun forwards to every rank, is rank 0's Ctrl-C: the running command stops
  /// between steps and the script ends as an interrupted hsq-repl script does (status 130).
  @Test func usr1InterruptsTheRunningCommandNotTheJob() throws {
    let folder = try MPIRun.folder(["long.hsq": Self.long])
    let outcome = try MPIRun.run(ranks: 3, ["long.hsq"], in: folder, timeout: 60) { process in
      Thread.sleep(forTimeInterval: 4)
      process.signal(SIGUSR1)
    }
    #expect(outcome.status == 130, "stderr: \(outcome.errors)")
    #expect(outcome.errors.contains("interrupted"), "stderr: \(outcome.errors)")
    #expect(!outcome.errors.contains("mpirun ended the job"))
  }
}
