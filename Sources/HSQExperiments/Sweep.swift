import Dispatch
import Foundation
import HSQCore
import Synchronization

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
///
/// A finished sweep never changes (every property is a constant of `Sendable` type), so sessions and
/// threads may share it.
public final class Sweep: Sendable {
  public let name: String
  public let plan: SweepPlan
  /// Finished runs, in plan order (configuration-major, then seed).
  public let runs: [SweepRun]
  /// True when the sweep was stopped before every run finished.
  public let interrupted: Bool

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
    // Every run's arrays exist at once, so the runs share the memory limit: each is built under what the ones before
    // it leave, and runs on its own arrays plus an equal share of the rest (its history grows into that share).
    let limit = MemoryBudget.current
    var experiments: [Experiment] = []
    var used = 0
    for (index, slot) in slots.enumerated() {
      try cancellation?.check()
      let config = try plan.config(configuration: slot.configuration, seed: slot.seed)
      do {
        let e = try MemoryBudget.$current.withValue(MemoryBudget(bytes: limit.bytes - used, origin: limit.origin)) { try Experiment(config) }
        used += e.footprint.total
        experiments.append(e)
      } catch let error as HSQError {
        guard case let .overMemoryBudget(_, needs, _, _) = error, index > 0 else { throw error }
        throw HSQError.overMemoryBudget(
          what: "The sweep's \(slots.count) runs exist at once, and its run \(index + 1) (configuration \(slot.configuration + 1), seed \(slot.seed))",
          needs: "\(needs) beside the \(MemoryEstimate.bytes(used)) of the \(index) built before it", limit: limit.limitDescription,
          fix: "Sweep fewer configurations or seeds at once")
      }
    }
    let shares = experiments.map { MemoryBudget(bytes: $0.footprint.total + max(0, limit.bytes - used) / max(1, slots.count), origin: limit.origin) }
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
          let outcome = MemoryBudget.$current.withValue(shares[index]) {
            e.run(until: condition, cancellation: cancellation) { _ in
              state.report(index, fraction: Self.fraction(of: e, condition: condition))
            }
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
/// The bookkeeping is behind a `Mutex`; the experiments, which are not `Sendable`, go through a
/// ``Handoff`` that gives each to the one thread that runs it.
private final class SweepState: Sendable {
  private struct Books {
    var nextIndex = 0
    var fractions: [Double]
    var results: [SweepRun?]
    var done: [Bool]
  }

  private let books: Mutex<Books>
  private let experiments: Handoff<Experiment>
  private let count: Int

  init(experiments: [Experiment]) {
    count = experiments.count
    self.experiments = Handoff(experiments)
    books = Mutex(Books(fractions: Array(repeating: 0, count: count), results: Array(repeating: nil, count: count),
                        done: Array(repeating: false, count: count)))
  }

  /// The next run to start, or `nil` when all are taken or the sweep is cancelled.
  func next(cancelled: Bool) -> Int? {
    books.withLock { books in
      guard !cancelled, books.nextIndex < count else { return nil }
      defer { books.nextIndex += 1 }
      return books.nextIndex
    }
  }

  /// Hands run `index`'s experiment to the thread that runs it (the state lets go of it).
  func take(_ index: Int) -> Experiment {
    experiments.take(index)
  }

  func report(_ index: Int, fraction: Double) {
    books.withLock { $0.fractions[index] = fraction }
  }

  func finish(_ index: Int, _ run: SweepRun?) {
    books.withLock { books in
      books.results[index] = run
      books.fractions[index] = 1
      books.done[index] = true
    }
  }

  func progress(elapsed: Double) -> Sweep.Progress {
    books.withLock { books in
      let finished = books.done.filter { $0 }.count
      let running = min(books.nextIndex, books.done.count) - finished
      let fraction = books.fractions.reduce(0, +) / Double(max(1, books.fractions.count))
      return Sweep.Progress(finished: finished, running: running, total: books.done.count, fraction: fraction, elapsedSeconds: elapsed)
    }
  }

  func all() -> [SweepRun?] {
    books.withLock { $0.results }
  }
}

/// Values made on one thread and handed out, each once, to the thread that then owns it: a sweep's
/// experiments, built before the runs start and each run by one thread.
///
/// `@unchecked Sendable` because the values are not `Sendable` (a `Mutex` cannot give a non-`Sendable`
/// value out). The invariant that makes the hand-off safe is enforced: ``take(_:)`` gives a value out once
/// and drops this box's reference to it in the same critical section, so from then on exactly one thread
/// holds it; taking an index a second time stops with a precondition failure instead of sharing the value.
private final class Handoff<Value>: @unchecked Sendable {
  private let lock = Mutex(())
  /// Read and written only while `lock` is held.
  private var values: [Value?]

  init(_ values: [Value]) {
    self.values = values
  }

  /// Value `index`, which this box no longer holds.
  func take(_ index: Int) -> Value {
    var taken: Value?
    lock.withLock { _ in swap(&taken, &values[index]) }
    guard let taken else { preconditionFailure("value \(index) was handed out twice; each goes to one thread only.") }
    return taken
  }
}
