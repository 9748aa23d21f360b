import Foundation
import HSQ

/// What `hsq-repl --recover` brought back, and what it left out.
public struct RecoveryReport: Sendable {
  /// Experiments in binding order with the step each resumes from.
  public var experiments: [(name: String, step: Int)] = []
  /// Add-ons that were running when the session died, with what they were doing; not loaded again.
  public var blamed: [(owner: String, activity: String)] = []
  /// Journal commands that failed when replayed, with their errors; the log is replayed up to its first failure.
  public var failures: [(line: String, message: String)] = []
  /// Log commands after a failure, not replayed.
  public var skipped = 0
  /// Where the journal's files were kept when something was not restored (`nil` when all was).
  public var kept: String?
  /// The summary the front end prints.
  public var text = ""
}

extension Session {
  /// Rebuilds the session a journal describes: its snapshot's commands, then its log's, leaving out the
  /// add-ons that were running when the session died; then keeps `journal` (a fresh snapshot of the result).
  ///
  /// Every command of the snapshot is tried (each rebuilds one thing); the log is replayed in order and stops
  /// at its first failure, since later lines may depend on it (a `step` on an experiment that is not back
  /// would step the current one instead).
  public func recover(from journal: SessionJournal) -> RecoveryReport {
    var report = RecoveryReport()
    guard let pending = journal.pending else {
      startJournal(journal)
      report.text = "There is no unfinished session journal in \(journal.directory); nothing to recover."
      return report
    }
    report.blamed = pending.inUse
    let blamed = Set(pending.inUse.map(\.owner))
    self.journal = journal
    AddOnActivity.observe { [weak journal] owner, activity in journal?.markInUse(owner, activity) }
    journal.isReplaying = true
    let snapshotCount = pending.commands.count - pending.logCount
    for (i, line) in pending.commands.enumerated() {
      if let words = try? Tokenizer.split(line), words.first == "load", words.count > 1, blamed.contains(resolvePath(words[1])) { continue }
      let output = execute(line)
      guard let error = output.error else { continue }
      report.failures.append((line, error))
      if i >= snapshotCount {
        report.skipped = pending.commands.count - i - 1
        break
      }
    }
    journal.isReplaying = false
    if !report.failures.isEmpty { report.kept = journal.keepPendingFiles() }
    journal.recovered()
    journalSnapshot()
    report.experiments = experimentNames.compactMap { name in
      if case let .experiment(e)? = variables[name] { return (name, e.stepCount) } else { return nil }
    }
    report.text = recoveryText(report, pending: pending, directory: journal.directory)
    return report
  }

  private func recoveryText(_ report: RecoveryReport, pending: PendingJournal, directory: String) -> String {
    let when = pending.modified.map { " last written \(ISO8601DateFormatter().string(from: $0))" } ?? ""
    var lines = ["Recovered the session from its journal (\(directory),\(when)):"]
    for (name, step) in report.experiments {
      lines.append("  \(name): resumes from step \(step)\(name == current ? " (current)" : "")")
    }
    let others = order.compactMap { name -> String? in
      switch variables[name] {
      case .compressor?, .codebook?: return "\(name) (\(variables[name]!.kind))"
      default: return nil
      }
    }
    if !others.isEmpty { lines.append("  let: " + others.joined(separator: ", ")) }
    if !sweepOrder.isEmpty { lines.append("  sweeps: " + sweepOrder.map { "\($0) (\(sweeps[$0]?.runs.count ?? 0) runs)" }.joined(separator: ", ")) }
    let addOns = AddOnLoader.shared.loadedPaths.map(AddOnLoader.display)
    if !addOns.isEmpty { lines.append("  add-ons: " + addOns.joined(separator: ", ")) }
    if report.experiments.isEmpty && others.isEmpty && sweepOrder.isEmpty && addOns.isEmpty { lines.append("  (nothing but the session itself)") }
    for (owner, activity) in report.blamed {
      lines.append("Left out: the add-on '\(AddOnLoader.display(owner))' was running (\(activity)) when the session died; it is not loaded again. Fix it, then 'load \(AddOnLoader.display(owner))'.")
    }
    for (line, message) in report.failures {
      lines.append("Not restored: '\(clipped(line, limit: 100))': \(message)")
    }
    if report.skipped > 0 { lines.append("Not replayed: the journal's last \(report.skipped) command(s), which came after that failure.") }
    if let kept = report.kept {
      lines.append("The journal as it was is kept in \(kept) (its snapshot.hsq and log list what it held): once the cause is fixed, "
        + "'load' a checkpoint from there. Delete the folder when you no longer need it.")
    } else if !report.failures.isEmpty {
      lines.append("warning: the journal's files could not be kept; what was not restored is lost.")
    }
    return lines.joined(separator: "\n")
  }
}
