import Dispatch
import Foundation
import HSQCore
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Programs started through ``ChildProcess``: ended by process id, no descriptor leaked, every wait bounded.
///
/// Foundation's `Process` fails the first three on Linux: it learns of a child's end from a socket the
/// child inherits, so a grandchild that keeps the socket stalls `waitUntilExit()`, and the socket is a
/// descriptor the child did not ask for.
@Suite struct ChildProcessTests {
  /// Whether `pid` is gone or a zombie waiting to be reaped.
  static func ended(_ pid: pid_t) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
    return status.contains("State:\tZ")
  }

  @Test func aGrandchildThatOutlivesTheChildDoesNotHoldUpTheWait() throws {
    let child = try ChildProcess(path: "/bin/sh", ["-c", "sleep 60 & exit 3"], output: .null, errors: .null)
    defer { kill(-child.pid, SIGKILL) }  // the sleeper is in the child's process group
    let end = try child.wait(timeout: 30)
    #expect(end == ChildProcess.Termination(exitStatus: 3, signal: nil))
    #expect(end.status == 3)
  }

  @Test func theChildGetsItsThreeStreamsAndNoOtherDescriptor() throws {
    // A descriptor of this process that is not close-on-exec, as another thread's pipe may be.
    let leaked = open("/dev/null", O_RDONLY)
    try #require(leaked > 2)
    defer { close(leaked) }
    let outcome = try ChildProcess.run(path: "/bin/ls", ["-1", "/proc/self/fd"], timeout: 30)
    // 0, 1 and 2, and the descriptor ls reads the directory with.
    #expect(outcome.output.split(separator: "\n") == ["0", "1", "2", "3"], "\(outcome.output)")
  }

  @Test func aWaitPastItsDeadlineKillsTheChildAndEverythingItStarted() throws {
    let family = Mutex<[pid_t]>([])
    #expect(throws: ChildProcess.TimedOut.self) {
      _ = try ChildProcess.run(path: "/bin/sh", ["-c", "sleep 100 & sleep 100"], timeout: 1) { child in
        var found: [pid_t] = []
        for _ in 0..<100 where found.count < 2 {
          usleep(10_000)
          found = ChildProcess.descendants(of: child.pid)
        }
        family.withLock { $0 = [child.pid] + found }
      }
    }
    let pids = family.withLock { $0 }
    #expect(pids.count == 3, "the shell and its two sleeps")
    let deadline = Date().addingTimeInterval(10)
    while !pids.allSatisfy(Self.ended), Date() < deadline { usleep(10_000) }
    #expect(pids.allSatisfy(Self.ended))
  }

  @Test func aCancelledCommandKillsTheChild() throws {
    let token = Cancellation()
    let child = try ChildProcess(path: "/bin/sleep", ["100"])
    let canceller = Thread {
      usleep(200_000)
      token.cancel()
    }
    canceller.start()
    #expect(throws: HSQError.interrupted) {
      try token.whileCurrent { try child.wait(timeout: 60, cancellable: true) }
    }
    #expect(child.poll() == ChildProcess.Termination(exitStatus: nil, signal: SIGKILL))
  }

  @Test func pipesCarryInputAndOutput() throws {
    let child = try ChildProcess(path: "/bin/cat", [], input: .pipe, output: .pipe)
    child.input?.write(Data("one\ntwo\n".utf8))
    try child.input?.close()
    #expect(String(decoding: child.readAllOutput(), as: UTF8.self) == "one\ntwo\n")
    #expect(try child.wait(timeout: 30).exitStatus == 0)
  }

  @Test func aSignalThatEndsTheChildIsReported() throws {
    let outcome = try ChildProcess.run(path: "/bin/sh", ["-c", "echo before; kill -9 $$"], timeout: 30)
    #expect(outcome.termination.signal == SIGKILL)
    #expect(outcome.status == 128 + SIGKILL)
    #expect(outcome.output == "before\n")
  }

  /// A child someone else reaped (a wait for any child, or SIGCHLD ignored) ends the wait instead of holding it forever.
  @Test func aChildReapedElsewhereStillEndsTheWait() throws {
    let child = try ChildProcess(path: "/bin/sh", ["-c", "exit 4"])
    var status: Int32 = 0
    #expect(waitpid(child.pid, &status, 0) == child.pid)
    let end = try child.wait(timeout: 30)
    #expect(end == ChildProcess.Termination(exitStatus: nil, signal: nil))
    #expect(end.description == "ended, its status collected elsewhere")
  }

  /// Children started and waited for from several threads at once each get their own exit status.
  @Test func childrenOfManyThreadsEachGetTheirOwnStatus() throws {
    let results = Mutex<[Int: Int32]>([:])
    DispatchQueue.concurrentPerform(iterations: 40) { i in
      let status = (try? ChildProcess.run(path: "/bin/sh", ["-c", "exit \(i % 7)"], timeout: 60).status) ?? -1
      results.withLock { $0[i] = status }
    }
    let got = results.withLock { $0 }
    #expect(got.count == 40)
    for (i, status) in got { #expect(status == Int32(i % 7), "child \(i)") }
  }

  @Test func aProgramThatCannotStartIsOneClearError() throws {
    #expect {
      _ = try ChildProcess(path: "/nonexistent/swiftc", ["-v"])
    } throws: { error in
      "\(error)" == "Cannot run '/nonexistent/swiftc': No such file or directory."
    }
  }
}
