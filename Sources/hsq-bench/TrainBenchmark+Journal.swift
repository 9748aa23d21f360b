import Foundation
import HSQ
import HSQCommands

extension TrainBenchmark {
  /// `train --journal`: the same training through a session (`experiment` then `run --steps N`), with the
  /// session journal off and on, interleaved `repeats` times each; prints each run's JSON line, then the
  /// overhead of the medians and the journal's size on disk at the end of the run.
  func runJournalComparison() throws {
    var off: [Double] = [], on: [Double] = []
    var bytes = 0, snapshots = 0
    for _ in 0..<repeats {
      off.append(try runThroughSession(journal: false).samplesPerSecond)
      let journaled = try runThroughSession(journal: true)
      on.append(journaled.samplesPerSecond)
      bytes = journaled.bytes
      snapshots = journaled.snapshots
    }
    let settings = journalSettings
    printJSONLine([
      "ratio": "\(compressor) samples/s, journal on vs off", "value": median(on) / median(off),
      "overhead_percent": (median(off) / median(on) - 1) * 100, "repeats": repeats,
      "off_median": median(off), "on_median": median(on), "journal_bytes": bytes, "snapshots": snapshots,
      "journal_every_steps": settings.everySteps, "journal_every_seconds": settings.everySeconds,
    ])
  }

  private var journalSettings: JournalSettings {
    JournalSettings(everySteps: journalSteps ?? JournalSettings.default.everySteps, everySeconds: JournalSettings.default.everySeconds)
  }

  /// One training run through a session; with `journal`, the journal in a scratch folder (removed after).
  private func runThroughSession(journal: Bool) throws -> (samplesPerSecond: Double, bytes: Int, snapshots: Int) {
    let session = Session()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-bench-journal-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    if journal {
      session.startJournal(try SessionJournal.open(directory: folder, settings: journalSettings, warn: { print($0) }))
    }
    defer { session.closeJournal() }
    let settings = [
      "dataset=\(dataset)", "model=\(model)", "workers=\(workers)", "batch=\(batch)", "lr=\(lr)", "momentum=\(momentum)",
      "weight-decay=\(weightDecay)", "ef=\(ef)", "ef-scale=\(efScale)", "compressor=\(spelling(of: compressor))",
      "track-theory=false", "threads=\(threads)", "seed=1",
    ]
    let created = session.execute("experiment e " + settings.joined(separator: " "))
    if let error = created.error { throw BenchError("the experiment cannot be built: \(error)") }
    let start = DispatchTime.now().uptimeNanoseconds
    let run = session.execute("run --steps \(steps)")
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if let error = run.error { throw BenchError("the run failed: \(error)") }
    var bytes = 0, snapshots = 0
    if let journal = session.journal {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        bytes += (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0
      }
      snapshots = journal.snapshotCount
    }
    let samplesPerSecond = Double(steps * workers * batch) / seconds
    printJSONLine([
      "peer": "hsq", "task": "fmnist-mlp", "via": "session", "journal": journal, "compressor": compressor, "steps": steps,
      "workers": workers, "batch": batch, "samples_per_s": samplesPerSecond, "seconds": seconds,
      "journal_bytes": bytes, "snapshots": snapshots,
    ])
    return (samplesPerSecond, bytes, snapshots)
  }
}
