import Foundation
import HSQ

/// `journal` (declared with the session commands): the session journal's state, interval, and switch.
extension Session {
  func journalCommand(_ args: ParsedArguments) throws -> CommandOutput {
    switch args.argument(0) {
    case nil: break
    case "off"?:
      closeJournal()
    case "on"?:
      guard journal == nil else { break }
      let journal: SessionJournal
      do {
        journal = try SessionJournal.open(directory: JournalLocation.directory(for: workingDirectory), warn: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
      } catch {
        throw HSQError.invalidState("Cannot start a journal: \(error)")
      }
      if journal.pending != nil {
        throw HSQError.invalidState("\(journal.directory) holds the journal of a session that died; recover it with 'hsq-repl --recover' or delete it with 'hsq-repl --discard-journal' first.")
      }
      startJournal(journal)
    case let other?:
      throw HSQError.invalidArgument("'journal' takes 'on' or 'off', not '\(other)'; e.g. 'journal off' or 'journal --steps 500'.")
    }
    if let journal {
      if args.option("steps") != nil { journal.settings.everySteps = try args.int("steps", default: 0, in: 1...Int(Int32.max)) }
      if let seconds = try args.double("seconds", in: 0.001...1e9) { journal.settings.everySeconds = seconds }
    } else if args.option("steps") != nil || args.option("seconds") != nil {
      throw HSQError.invalidState("The session keeps no journal; start one with 'journal on' first.")
    }
    guard let journal else {
      return CommandOutput(text: "Journal: off (a crash loses this session; 'journal on' starts one).", json: .object([("on", .bool(false))]))
    }
    let bytes = ((try? FileManager.default.contentsOfDirectory(atPath: journal.directory)) ?? []).reduce(0) { total, name in
      total + ((try? FileManager.default.attributesOfItem(atPath: journal.directory + "/" + name)[.size] as? Int) ?? 0)
    }
    let state = journal.isBroken ? "stopped after a write failed" : "on"
    let text = "Journal: \(state), in \(journal.directory) (\(Self.scaled(bytes, "B"))); a snapshot every \(journal.settings.everySteps) steps or \(formatNumber(journal.settings.everySeconds)) s of command time, the last at generation \(journal.generation)."
    return CommandOutput(text: text, json: .object([
      ("on", .bool(!journal.isBroken)), ("directory", .string(journal.directory)), ("bytes", .int(bytes)),
      ("everySteps", .int(journal.settings.everySteps)), ("everySeconds", .number(journal.settings.everySeconds)), ("generation", .int(journal.generation)),
    ]))
  }
}
