import Dispatch
import Foundation
import HSQCore

/// One finished run of a sweep: which configuration and seed, and every step's record.
public struct SweepRun: Codable, Sendable, Hashable {
  /// The configuration's index in ``SweepPlan`` order.
  public var configuration: Int
  public var seed: UInt64
  public var config: ExperimentConfig
  public var history: [StepRecord]
  /// Why the run stopped (``StopReason/description``).
  public var stop: String
  /// Whether it stopped by diverging or failing rather than by the condition.
  public var failed: Bool
}

/// A grid of experiments over settings and seeds, run in parallel, kept as records.
///
/// ```
/// let sweep = try Sweep.run(name: "cmp", plan: plan, jobs: 2)
/// sweep.summaries(of: { $0.testAccuracy })   // mean ± 95 % CI per configuration
/// ```
///
/// Runs are spread over `jobs` threads, each experiment on one thread with one
/// BLAS thread, so a run's records are bit-identical to the same experiment run
/// alone. The final model of every run is evaluated on the whole test set.
/// Cancelling stops every run between steps; the runs already finished are
/// kept, the unfinished ones dropped (``interrupted`` says so).
public final class Sweep: @unchecked Sendable {
  public let name: String
  public let plan: SweepPlan
  /// Finished runs, in plan order (configuration-major, then seed).
  public internal(set) var runs: [SweepRun]
  /// True when the sweep was stopped before every run finished.
  public internal(set) var interrupted: Bool

  public init(name: String, plan: SweepPlan, runs: [SweepRun], interrupted: Bool) {
    self.name = name
    self.plan = plan
    self.runs = runs
    self.interrupted = interrupted
  }

  /// Where a running sweep is, for a progress line.
  public struct Progress: Sendable {
    public var finished: Int
    public var running: Int
    public var total: Int
    /// Overall fraction done, 0…1, from each run's steps or epochs.
    public var fraction: Double
    public var elapsedSeconds: Double

    /// Seconds left at the rate so far; `nil` before any progress.
    public var etaSeconds: Double? {
      fraction > 0 ? elapsedSeconds * (1 - fraction) / fraction : nil
    }
  }

  /// Builds every run's experiment (so a bad setting fails before anything runs), then runs them on `jobs` threads.
  ///
  /// - Parameters:
  ///   - jobs: threads (at most one per run).
  ///   - cancellation: polled between steps by every run.
  ///   - progress: called on the calling thread about twice a second while runs go on.
  public static func run(
    name: String, plan: SweepPlan, jobs: Int, cancellation: Cancellation? = Cancellation.current,
    progress: (Progress) -> Void = { _ in }
  ) throws -> Sweep {
    let slots: [(configuration: Int, seed: UInt64)] = (0..<plan.configurationCount).flatMap { c in plan.seeds.map { (c, $0) } }
    var experiments: [Experiment] = []
    for slot in slots {
      try cancellation?.check()
      experiments.append(try Experiment(try plan.config(configuration: slot.configuration, seed: slot.seed)))
    }
    let state = SweepState(experiments: experiments)
    let lanes = max(1, min(jobs, slots.count))
    let group = DispatchGroup()
    let start = DispatchTime.now().uptimeNanoseconds
    let condition = plan.condition
    for _ in 0..<lanes {
      group.enter()
      Thread.detachNewThread {
        defer { group.leave() }
        while let index = state.next(cancelled: cancellation?.isCancelled == true) {
          let e = state.take(index)
          let outcome = e.run(until: condition, cancellation: cancellation) { _ in
            state.report(index, fraction: Self.fraction(of: e, condition: condition))
          }
          var run = SweepRun(configuration: slots[index].configuration, seed: slots[index].seed, config: e.config,
                             history: [], stop: outcome.reason.description, failed: false)
          switch outcome.reason {
          case .interrupted:
            state.finish(index, nil)
            continue
          case .diverged, .failed:
            run.failed = true
          default:
            do { try e.evaluateLastStepOnFullTestSet() } catch {
              run.failed = true
              run.stop = "the final evaluation failed: \(error)"
            }
          }
          run.history = e.history
          state.finish(index, run)
        }
      }
    }
    while group.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
      progress(state.progress(elapsed: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
    let runs = state.all()
    return Sweep(name: name, plan: plan, runs: runs.compactMap { $0 }, interrupted: runs.contains { $0 == nil })
  }

  /// How far a run is toward its stop condition, 0…1 (the largest of its bounded parts).
  static func fraction(of e: Experiment, condition: StopCondition) -> Double {
    var parts: [Double] = []
    if let steps = condition.steps { parts.append(Double(e.history.count) / Double(max(steps, 1))) }
    if let epochs = condition.epochs { parts.append(epochs > 0 ? e.epoch / epochs : 1) }
    return min(1, parts.max() ?? 0)
  }

  /// The runs of configuration `index`, in seed order.
  public func runs(ofConfiguration index: Int) -> [SweepRun] {
    runs.filter { $0.configuration == index }
  }
}

/// The shared state of a running sweep: which runs are taken, their progress, their results.
///
/// Every access holds `lock`; an experiment is handed out once (``take(_:)``) and then used by one thread only.
private final class SweepState: @unchecked Sendable {
  private let lock = NSLock()
  private var experiments: [Experiment?]
  private var nextIndex = 0
  private var fractions: [Double]
  private var results: [SweepRun?]
  private var done: [Bool]

  init(experiments: [Experiment]) {
    self.experiments = experiments
    fractions = Array(repeating: 0, count: experiments.count)
    results = Array(repeating: nil, count: experiments.count)
    done = Array(repeating: false, count: experiments.count)
  }

  /// The next run to start, or `nil` when all are taken or the sweep is cancelled.
  func next(cancelled: Bool) -> Int? {
    lock.withLock {
      guard !cancelled, nextIndex < experiments.count else { return nil }
      defer { nextIndex += 1 }
      return nextIndex
    }
  }

  /// Hands run `index`'s experiment to the thread that runs it (the state lets go of it).
  func take(_ index: Int) -> Experiment {
    lock.withLock {
      defer { experiments[index] = nil }
      return experiments[index]!
    }
  }

  func report(_ index: Int, fraction: Double) {
    lock.withLock { fractions[index] = fraction }
  }

  func finish(_ index: Int, _ run: SweepRun?) {
    lock.withLock {
      results[index] = run
      fractions[index] = 1
      done[index] = true
    }
  }

  func progress(elapsed: Double) -> Sweep.Progress {
    lock.withLock {
      let finished = done.filter { $0 }.count
      let running = min(nextIndex, done.count) - finished
      let fraction = fractions.reduce(0, +) / Double(max(1, fractions.count))
      return Sweep.Progress(finished: finished, running: running, total: done.count, fraction: fraction, elapsedSeconds: elapsed)
    }
  }

  func all() -> [SweepRun?] {
    lock.withLock { results }
  }
}
