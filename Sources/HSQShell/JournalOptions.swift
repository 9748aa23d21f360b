import ArgumentParser
import Foundation
import HSQCommands

/// `hsq-repl`'s journal flags: keep one (scripts), keep none (interactive), its interval, recover or discard.
struct JournalOptions: ParsableArguments {
  @Flag(help: "Keep a session journal while running a script (interactive sessions keep one unless --no-journal).")
  var journal = false

  @Flag(help: "Keep no session journal, even interactively: a crash loses the session.")
  var noJournal = false

  @Option(help: "A journal snapshot at least every N steps (default \(JournalSettings.default.everySteps)).")
  var journalSteps: Int?

  @Option(help: "… and at least every T seconds of command time (default \(Int(JournalSettings.default.everySeconds))).")
  var journalSeconds: Double?

  @Flag(help: "Rebuild the session that died in this directory from its journal, then go on (interactively or with FILE).")
  var recover = false

  @Flag(help: "Delete the journal a session that died in this directory left, then go on.")
  var discardJournal = false

  func validate() throws {
    if journalSteps.map({ $0 < 1 }) ?? false { throw ValidationError("--journal-steps must be at least 1.") }
    if journalSeconds.map({ !($0 > 0 && $0.isFinite) }) ?? false { throw ValidationError("--journal-seconds must be a positive number of seconds.") }
    if noJournal, journal || recover { throw ValidationError("--no-journal cannot go with --journal or --recover.") }
    if recover, discardJournal { throw ValidationError("Give --recover or --discard-journal, not both.") }
  }

  var settings: JournalSettings {
    JournalSettings(everySteps: journalSteps ?? JournalSettings.default.everySteps, everySeconds: journalSeconds ?? JournalSettings.default.everySeconds)
  }

  /// Opens this directory's journal as the flags ask: recovers or discards what a dead session left, or says
  /// it is there; then keeps it for `session` when wanted. A journal that cannot be kept is one warning line.
  func begin(_ session: Session, interactive: Bool) {
    let wanted = recover || (interactive ? !noJournal : journal)
    guard wanted || discardJournal else { return }
    let warn: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    let opened: SessionJournal
    do {
      opened = try SessionJournal.open(directory: JournalLocation.directory(for: session.workingDirectory), settings: settings, warn: warn)
    } catch {
      warn("warning: \(error)")
      return
    }
    if discardJournal {
      let had = opened.pending != nil
      opened.discard()
      warn(had ? "Discarded the journal of the session that died here (\(opened.directory))." : "No unfinished journal here to discard.")
    }
    if recover {
      print(session.recover(from: opened).text)
    } else if let pending = opened.pending {
      let when = pending.modified.map { ", last written \(ISO8601DateFormatter().string(from: $0))" } ?? ""
      warn("A session here died and left a journal (\(opened.directory)\(when)): 'hsq-repl --recover' restores it, 'hsq-repl --discard-journal' deletes it. This session keeps no journal until then.")
    } else if wanted {
      session.startJournal(opened)
    }
  }
}
