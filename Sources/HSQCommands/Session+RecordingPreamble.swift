import Foundation
import HSQ

extension Session {
  /// The commands that recreate this session's state, for a recording that starts now.
  ///
  /// In binding order: a `load` per loaded add-on; `let NAME = compressor|codebook SPEC` per component
  /// variable; per experiment, its full `experiment` line when it is pristine (step 0, no history, no
  /// events), else `load STEM.NAME.json --as NAME` from a checkpoint written now beside the recording
  /// (`STEM` is `target` without its extension; re-recording to the same file rewrites them): replaying
  /// the steps would not reproduce events from `set` between them, a checkpoint does, bit for bit.
  /// Last, `use CURRENT`.
  ///
  /// - Throws: when a checkpoint cannot be written (nothing is recorded then).
  func recordingPreamble(target: String) throws -> [String] {
    let stem = (target as NSString).deletingPathExtension
    return try restoringCommands { name, e in
      let checkpoint = "\(stem).\(name).json"
      try e.save(to: resolveOutputPath(checkpoint))
      return checkpoint
    }
  }

  /// The commands that rebuild this session as it is: add-on loads, `let` lines, experiments (their
  /// `experiment` line at step 0, else `load FILE --as NAME` with `checkpoint` writing FILE and returning
  /// its path), sweeps when `sweep` writes them, and `use CURRENT`.
  func restoringCommands(
    checkpoint: (String, Experiment) throws -> String, sweep: ((String, Sweep) throws -> String)? = nil
  ) throws -> [String] {
    var lines = AddOnLoader.shared.loadedPaths.map { "load \(Tokenizer.quoted($0))" }
    for name in order {
      switch variables[name] {
      case let .compressor(c)?: lines.append("let \(name) = compressor \(c.spec)")
      case let .codebook(c)?: lines.append("let \(name) = codebook \(c.name)")
      case let .experiment(e)? where e.stepCount == 0 && e.history.isEmpty && e.events.isEmpty:
        lines.append(Self.experimentLine(name, e.config))
      case let .experiment(e)?:
        lines.append("load \(Tokenizer.quoted(try checkpoint(name, e))) --as \(name)")
      case nil: break
      }
    }
    if let sweep {
      for name in sweepOrder {
        if let s = sweeps[name] { lines.append("load \(Tokenizer.quoted(try sweep(name, s))) --as \(name)") }
      }
    }
    if let current { lines.append("use \(current)") }
    return lines
  }
}
