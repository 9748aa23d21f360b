import Foundation
import HSQ
@testable import HSQCommands
import Testing
#if canImport(Glibc)
  import Glibc
#endif

/// Issue 20: the session journal — a trapping add-on is named and left out after `--recover`, a journal that
/// cannot be written is one warning and never the session's end, a clean exit leaves nothing, and a journal
/// left by a dead session is announced at start-up until it is recovered or discarded.
@Suite struct JournalTests {
  static let small = JournalFaultInjectionTests.small

  /// A compressor whose encode traps, as a buggy add-on would.
  static let trappingAddOn = #"""
    import HSQ

    public struct Trapper: CompressorComponent {
      public static let info = ComponentInfo(kind: .compressor, name: "trapper", summary: "Traps in encode.", doc: "A test add-on.")
      public init(_ parameters: ParameterValues) throws {}
      public var spec: String { "trapper" }
      public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: true) }
      public func guarantee(length d: Int) -> Guarantee { .unbiased(omega: 0) }
      public func bits(length d: Int) -> Int? { 32 * d }
      public var bitsFormula: String { "32·d" }
      public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload { fatalError("trapper traps in encode") }
      public func decode(_ payload: Payload, length d: Int) throws -> [Float] { fatalError("trapper traps in decode") }
    }

    @_cdecl("hsq_register")
    public func hsqRegister() {
      AddOnRegistration.run { try Compressors.register(Trapper.self) }
    }
    """#

  @Test(.requires("hsq-repl built beside the tests", JournalFaultInjectionTests.hasRepl))
  func aTrappingAddOnKillsTheSessionAndRecoveryLeavesItOutByName() throws {
    let folder = try ScriptProcessTests.folder([
      "trap.swift": Self.trappingAddOn,
      "session.hsq": """
        let q = compressor qsgd:bits=2,bucket=4
        experiment a \(Self.small) compressor=q
        step 3
        load trap.swift
        experiment t \(Self.small) compressor=trapper
        step 2

        """,
    ])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let environment = ["HSQ_JOURNAL_DIR": folder + "/journal"]
    let crash = try ScriptProcessTests.run(["--journal", "--allow-load", "session.hsq"], in: folder, timeout: 300, environment: environment)
    #expect(crash.status > 128, "the trap should kill hsq-repl: status \(crash.status); stderr: \(crash.errors.suffix(400))")
    let again = try ScriptProcessTests.run(["--recover"], in: folder, environment: environment)
    #expect(again.status == 0, "stderr: \(again.errors.suffix(400))")
    #expect(again.output.contains("a: resumes from step 3"), "\(again.output)")
    #expect(again.output.contains("let: q (compressor)"), "\(again.output)")
    #expect(again.output.contains("Left out: the add-on 'trap.swift' was running (encode) when the session died"), "\(again.output)")
    #expect(!again.output.contains("add-ons: trap.swift"), "the trapping add-on is not loaded again: \(again.output)")
    // The clean exit after the recovery closed the journal: nothing left to recover.
    #expect(PendingJournal.read(folder + "/journal") == nil)
  }

  @Test(.requires("hsq-repl built beside the tests", JournalFaultInjectionTests.hasRepl))
  func anAddOnThatTrapsWhileLoadingIsNamedAfterRecovery() throws {
    let folder = try ScriptProcessTests.folder([
      "boom.swift": """
        import HSQ

        @_cdecl("hsq_register")
        public func hsqRegister() { fatalError("boom traps while registering") }
        """,
      "session.hsq": "experiment a \(Self.small)\nstep 2\nload boom.swift\n",
    ])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let environment = ["HSQ_JOURNAL_DIR": folder + "/journal"]
    let crash = try ScriptProcessTests.run(["--journal", "--allow-load", "session.hsq"], in: folder, timeout: 300, environment: environment)
    #expect(crash.status > 128, "status \(crash.status); stderr: \(crash.errors.suffix(400))")
    let again = try ScriptProcessTests.run(["--recover"], in: folder, environment: environment)
    #expect(again.output.contains("a: resumes from step 2"), "\(again.output)")
    #expect(again.output.contains("Left out: the add-on 'boom.swift' was running (load) when the session died"), "\(again.output)")
  }

  @Test(.requires("hsq-repl built beside the tests", JournalFaultInjectionTests.hasRepl))
  func anUnusableJournalLocationIsOneWarningAndTheScriptRuns() throws {
    let folder = try ScriptProcessTests.folder(["blocker": "a file where the journal's folder would go\n", "s.hsq": "experiment a \(Self.small)\nstep 3\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try ScriptProcessTests.run(["--journal", "s.hsq"], in: folder, environment: ["HSQ_JOURNAL_DIR": folder + "/blocker/journal"])
    #expect(run.status == 0, "stderr: \(run.errors)")
    #expect(run.output.contains("step 3"), "\(run.output)")
    let lines = run.errors.split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("warning: cannot keep a session journal in \(folder)/blocker/journal"), "\(run.errors)")
  }

  @Test func aJournalThatFailsMidSessionWarnsOnceAndTheSessionGoesOn() throws {
    let folder = try ScriptProcessTests.folder([:])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let directory = folder + "/journal"
    let warnings = Warnings()
    let journal = try SessionJournal.open(directory: directory, settings: JournalSettings(everySteps: 2, everySeconds: 1000), warn: warnings.add)
    let s = Session()
    s.workingDirectory = folder
    s.startJournal(journal)
    #expect(!s.execute("experiment a \(Self.small)").isError)
    #expect(!s.execute("step 3").isError)
    #expect(FileManager.default.fileExists(atPath: directory + "/snapshot.hsq"))
    // The disk goes away under the journal: its folder becomes a file (as a full or read-only disk, writes fail).
    try FileManager.default.removeItem(atPath: directory)
    try "not a folder".write(toFile: directory, atomically: false, encoding: .utf8)
    for line in ["step 4", "set lr 0.02", "step 5"] {
      let out = s.execute(line)
      #expect(!out.isError, "\(line): \(out.error ?? "")")
    }
    guard case let .experiment(e)? = s.variables["a"] else { Issue.record("a is gone"); return }
    #expect(e.stepCount == 12)
    #expect(warnings.lines.count == 1 && warnings.lines[0].hasPrefix("warning: the session journal stopped ("), "\(warnings.lines)")
    #expect(s.execute("journal").text.contains("stopped after a write failed"))
    s.closeJournal()
  }

  @Test(.requires("hsq-repl built beside the tests", JournalFaultInjectionTests.hasRepl))
  func aDeadSessionsJournalIsAnnouncedUntilRecoveredOrDiscardedAndACleanExitLeavesNone() throws {
    let folder = try ScriptProcessTests.folder(["s.hsq": "experiment a \(Self.small)\nstep 6\n", "t.hsq": "experiment b \(Self.small)\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let directory = folder + "/journal"
    let clean = try ScriptProcessTests.run(["--journal", "s.hsq"], in: folder, environment: ["HSQ_JOURNAL_DIR": directory])
    #expect(clean.status == 0 && clean.errors.isEmpty, "\(clean.errors)")
    #expect(PendingJournal.read(directory) == nil, "a clean exit closes the journal")
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).isEmpty)

    let killed = try ScriptProcessTests.run(["--journal", "--journal-steps", "2", "s.hsq"], in: folder, environment: ["HSQ_JOURNAL_DIR": directory, "HSQ_JOURNAL_FAULT": "step:5"])
    #expect(killed.status == 128 + SIGKILL)
    let pending = try #require(PendingJournal.read(directory))
    let other = try ScriptProcessTests.run(["--journal", "t.hsq"], in: folder, environment: ["HSQ_JOURNAL_DIR": directory])
    #expect(other.status == 0)
    #expect(other.errors.contains("A session here died and left a journal") && other.errors.contains("'hsq-repl --recover' restores it"), "\(other.errors)")
    #expect(PendingJournal.read(directory)?.commands == pending.commands, "another session leaves the dead one's journal alone")
    let discard = try ScriptProcessTests.run(["--discard-journal"], in: folder, environment: ["HSQ_JOURNAL_DIR": directory])
    #expect(discard.status == 0 && discard.errors.contains("Discarded the journal"), "\(discard.errors)")
    #expect(PendingJournal.read(directory) == nil)
  }

  /// A recovery that cannot restore an experiment (here: its checkpoint is over the memory limit the new
  /// process runs under) keeps the journal's files, where the fresh snapshot deleted the only copy of it.
  @Test(.requires("hsq-repl built beside the tests", JournalFaultInjectionTests.hasRepl))
  func whatARecoveryCannotRestoreIsKeptAndLoadsOnceFixed() throws {
    let folder = try ScriptProcessTests.folder(["s.hsq": "experiment a dataset=linear:d=128,n=4096,n-test=16 model=least-squares workers=2 batch=8\nstep 6\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let directory = folder + "/journal"
    let killed = try ScriptProcessTests.run(["--journal", "--journal-steps", "2", "s.hsq"], in: folder,
                                            environment: ["HSQ_JOURNAL_DIR": directory, "HSQ_JOURNAL_FAULT": "step:5"])
    #expect(killed.status == 128 + SIGKILL)
    let pending = try #require(PendingJournal.read(directory))
    let load = try #require(pending.commands.first { $0.hasPrefix("load ") })
    let checkpoint = try #require(load.split(separator: " ").dropFirst().first.map { URL(fileURLWithPath: String($0)).lastPathComponent })
    let recovery = try ScriptProcessTests.run(["--recover"], in: folder, environment: ["HSQ_JOURNAL_DIR": directory, "HSQ_MEMORY_LIMIT": "1MB"])
    #expect(recovery.output.contains("Not restored: 'load "), "\(recovery.output)")
    let kept = directory + "/not-restored-g\(pending.generation)"
    #expect(recovery.output.contains("The journal as it was is kept in \(kept)"), "\(recovery.output)")
    #expect(PendingJournal.read(directory) == nil, "the clean exit closed the new journal")
    #expect(FileManager.default.fileExists(atPath: kept + "/" + checkpoint) && FileManager.default.fileExists(atPath: kept + "/snapshot.hsq"))
    try "load \(kept)/\(checkpoint) --as a\nstep 1\n".write(toFile: folder + "/resume.hsq", atomically: true, encoding: .utf8)
    let resumed = try ScriptProcessTests.run(["--no-journal", "resume.hsq"], in: folder)
    #expect(resumed.status == 0, "\(resumed.errors)")
    #expect(resumed.output.contains("Loaded experiment a at step 4.") && resumed.output.contains("step 5 "), "\(resumed.output)")
  }

  @Test func theJournalCommandShowsAndSetsTheInterval() throws {
    let folder = try ScriptProcessTests.folder([:])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let s = Session()
    s.workingDirectory = folder
    #expect(s.execute("journal").text.hasPrefix("Journal: off"))
    #expect(s.execute("journal --steps 10").isError)
    let journal = try SessionJournal.open(directory: folder + "/j", warn: { _ in })
    s.startJournal(journal)
    let out = s.execute("journal --steps 10 --seconds 5")
    #expect(out.text.contains("a snapshot every 10 steps or 5 s"), "\(out.text)")
    #expect(s.execute("journal maybe").error?.contains("takes 'on' or 'off'") == true)
    #expect(!s.execute("journal off").isError)
    #expect(s.journal == nil && !FileManager.default.fileExists(atPath: folder + "/j/lock"))
  }

  @Test func aSnapshotReusesTheCheckpointsOfUnchangedExperimentsAndKeepsOneGeneration() throws {
    let folder = try ScriptProcessTests.folder([:])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let directory = folder + "/journal"
    let journal = try SessionJournal.open(directory: directory, settings: JournalSettings(everySteps: 3, everySeconds: 1000), warn: { _ in })
    let s = Session()
    s.workingDirectory = folder
    s.startJournal(journal)
    for line in ["experiment a \(Self.small)", "step 3", "experiment b \(Self.small)", "step 3", "step 3"] { #expect(!s.execute(line).isError) }
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    // Each 'step 3' snapshots at its 3rd step and again when it ends (generations 1–6); a's checkpoint from
    // generation 1 stands, b's is its latest; one snapshot and one log, nothing older.
    #expect(files == ["e-a.g1.safetensors", "e-b.g5.safetensors", "lock", "log-6.hsq", "snapshot.hsq"], "\(files)")
    let mode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
    #expect(mode == 0o700)
    s.closeJournal()
    #expect(!FileManager.default.fileExists(atPath: directory))
  }
}

/// Warnings collected from a journal.
final class Warnings: @unchecked Sendable {
  private(set) var lines: [String] = []
  func add(_ line: String) { lines.append(line) }
}
