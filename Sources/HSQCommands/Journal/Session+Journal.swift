import Foundation
import HSQ

extension Session {
  /// Keeps `journal` from now on: state-changing commands are appended to it, snapshots written at its
  /// interval, and add-on code is marked in use before it runs. A recovered session starts with a snapshot.
  public func startJournal(_ journal: SessionJournal) {
    self.journal = journal
    AddOnActivity.observe { [weak journal] owner, activity in journal?.markInUse(owner, activity) }
    if !order.isEmpty || !sweepOrder.isEmpty || !AddOnLoader.shared.loadedPaths.isEmpty { journalSnapshot() }
  }

  /// A clean exit: the journal is closed and removed, leaving nothing to recover.
  public func closeJournal() {
    guard let journal else { return }
    AddOnActivity.observe(nil)
    journal.close()
    self.journal = nil
  }

  /// Before a command runs: marks an add-on's command as in use, and notes the state the command starts from.
  func journalWillRun(_ command: CommandSpec) {
    if let owner = commandTable.owner(of: command.name) { AddOnActivity.willRun(owner, "command \(command.name)") }
    guard let journal else { return }
    if journal.running.isEmpty { journal.commandStarted = DispatchTime.now().uptimeNanoseconds }
    journal.commandWasCut = false
    journal.running.append((journal.generation, journalIsActive ? journalFingerprint : []))
  }

  /// After a command: appends it to the log when replaying its line reproduces what it did, else writes a snapshot.
  ///
  /// A line is appended when the command is recorded, succeeded, ran to its end (not stopped by Ctrl-C),
  /// took less than the interval's seconds, is not a `load` of a file that might change, and no snapshot
  /// was written while it ran; a command that changed the session otherwise is followed by a snapshot.
  func journalDidRun(_ command: CommandSpec, line: String, output: CommandOutput) {
    guard let journal, let start = journal.running.popLast() else { return }
    let cut = journal.commandWasCut
    journal.commandWasCut = false
    let outermost = journal.running.isEmpty
    defer {
      if outermost {
        journal.secondsBeforeCommand += journal.secondsInCommand
        journal.commandStarted = 0
        journal.markIdle()
      }
    }
    guard journalIsActive else { return }
    let now = journalFingerprint
    let snapped = journal.generation != start.generation
    guard snapped || now != start.fingerprint else { return }
    let addOnsLoaded = now.prefix { $0.hasPrefix("/") } != start.fingerprint.prefix { $0.hasPrefix("/") }
    let replays = command.isRecorded && !output.isError && !cut && !snapped && (command.name != "load" || addOnsLoaded)
      && journal.secondsInCommand < journal.settings.everySeconds
    if replays {
      journal.append(line)
      if journal.isDue { journalSnapshot() }
    } else {
      journalSnapshot()
    }
  }

  /// After every step of a `step` or `run`: a snapshot when the interval has passed.
  func journalAfterStep() {
    guard let journal, journalIsActive else { return }
    journal.stepTaken()
    journal.stepsSinceSnapshot += 1
    if journal.isDue { journalSnapshot() }
  }

  /// Whether the journal is written now (not off after a failure, not being replayed).
  var journalIsActive: Bool {
    guard let journal else { return false }
    return !journal.isReplaying && !journal.isBroken
  }

  /// Writes a snapshot: checkpoints of the experiments changed since the last one (through ``Experiment/save(to:)``,
  /// the same files `save` writes), sweeps, and the commands that rebuild the rest.
  func journalSnapshot() {
    guard let journal, journalIsActive else { return }
    let next = journal.generation + 1
    var files: [String: (key: String, file: String)] = [:]
    do {
      let lines = try restoringCommands(checkpoint: { name, e in
        let key = Self.checkpointKey(e)
        if let old = journal.written[name], old.key == key {
          files[name] = old
          return old.file
        }
        let file = journal.directory + "/e-\(name).g\(next).safetensors"
        journal.willWriteFile()
        try e.save(to: file)
        _ = chmod(file, 0o600)
        files[name] = (key, file)
        return file
      }, sweep: { name, sweep in
        let file = journal.directory + "/s-\(name).g\(next).json"
        journal.willWriteFile()
        try sweep.save(to: file)
        _ = chmod(file, 0o600)
        files[" sweep " + name] = ("", file)
        return file
      })
      try journal.publish(lines, files: Set(files.values.map(\.file)))
      journal.written = files.filter { !$0.key.hasPrefix(" sweep ") }
      journal.stepsSinceSnapshot = 0
      journal.secondsBeforeCommand = 0
      if !journal.running.isEmpty { journal.commandStarted = DispatchTime.now().uptimeNanoseconds }
    } catch {
      journal.fail(error)
    }
  }

  /// What the journal compares before and after a command: add-on paths first (they start with `/`), then
  /// each variable with what changes when it does, sweeps, and the current experiment.
  var journalFingerprint: [String] {
    var parts = AddOnLoader.shared.loadedPaths
    for name in order {
      switch variables[name] {
      case let .compressor(c)?: parts.append("c \(name) \(c.spec)")
      case let .codebook(c)?: parts.append("b \(name) \(c.name)")
      case let .experiment(e)?: parts.append("e \(name) \(Self.checkpointKey(e))")
      case nil: break
      }
    }
    for name in sweepOrder { parts.append("s \(name) \(sweeps[name].map { "\(ObjectIdentifier($0)) \($0.runs.count)" } ?? "")") }
    parts.append("use \(current ?? "")")
    return parts
  }

  /// The experiment object and how far it has come: equal keys mean an unchanged experiment (its last checkpoint stands).
  static func checkpointKey(_ e: Experiment) -> String {
    let first = e.parameters.first?.prefix(4).map { String($0.bitPattern, radix: 16) }.joined(separator: ",") ?? ""
    return "\(ObjectIdentifier(e).hashValue) \(e.stepCount) \(e.history.count) \(e.events.count) \(first)"
  }
}

extension SessionJournal {
  /// Seconds the outermost command running has taken so far.
  var secondsInCommand: Double {
    commandStarted == 0 ? 0 : Double(DispatchTime.now().uptimeNanoseconds - commandStarted) / 1e9
  }

  /// Whether a snapshot is due: the interval's steps or seconds have passed, or the log has grown past 1 MiB.
  var isDue: Bool {
    stepsSinceSnapshot >= settings.everySteps || secondsBeforeCommand + secondsInCommand >= settings.everySeconds || logBytes > 1 << 20
  }
}
