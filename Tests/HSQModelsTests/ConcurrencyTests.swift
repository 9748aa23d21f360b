import Dispatch
import Foundation
import HSQCore
import HSQModels
import Testing

/// Workers on separate threads with separate workspaces must get exactly the sequential results.
@Suite("Concurrency and determinism")
struct ConcurrencyTests {
  /// Losses and gradients of `batches`, computed in order with one workspace.
  func run(_ model: any Model, _ p: [[Float]], _ batches: [Examples], workspace: Workspace) throws -> [(Double, [[Float]])] {
    var gradient = model.zeroParameters()
    return try batches.map { batch in
      let loss = try model.lossAndGradient(parameters: p, batch: batch, into: &gradient, workspace: workspace)
      return (loss, gradient)
    }
  }

  @Test("two workspaces used concurrently give the sequential results bit for bit", arguments: ["mlp:hidden=32", "cnn", "softmax"])
  func concurrent(spec: String) throws {
    let input = ModelInput(featureShape: [1, 12, 12], task: .multiclass, classCount: 4)
    let model = try Models.make(spec, for: input)
    let p = Fixtures.parameters(for: model, seed: 1)
    let data = Fixtures.examples(for: input, count: 64, seed: 2)
    let shards = (0..<2).map { w in (0..<4).map { b in data.subset(Array(stride(from: w + 2 * b, to: 64, by: 8))) } }
    let sequential = try shards.map { try run(model, p, $0, workspace: Workspace()) }
    let results = Results()
    let workspaces = [Workspace(), Workspace()]
    DispatchQueue.concurrentPerform(iterations: 2) { w in
      for _ in 0..<3 { results.set(w, Result { try run(model, p, shards[w], workspace: workspaces[w]) }) }
    }
    for w in 0..<2 {
      let concurrent = try results.get(w).get()
      for (a, b) in zip(sequential[w], concurrent) {
        #expect(a.0 == b.0 && a.1 == b.1, "worker \(w) of '\(spec)' differs from the sequential run")
      }
    }
  }

  /// OpenBLAS results can change in the last bits with its thread count, a process-wide setting, so hsq
  /// fixes it at one thread for good (``BLAS``): no test or experiment can change it for the others.
  @Test("OpenBLAS runs on one thread once a workspace exists, and results repeat bit for bit")
  func blasOnOneThread() throws {
    let input = ModelInput(featureCount: 300, task: .multiclass, classCount: 10)
    let model = try Models.make("mlp:hidden=200", for: input)
    let p = Fixtures.parameters(for: model, seed: 1)
    let batch = Fixtures.examples(for: input, count: 256, seed: 3)
    let workspace = Workspace()
    #expect(BLAS.threadCount == 1)
    var gradient = model.zeroParameters()
    let first = try model.lossAndGradient(parameters: p, batch: batch, into: &gradient, workspace: workspace)
    let firstGradient = gradient
    let second = try model.lossAndGradient(parameters: p, batch: batch, into: &gradient, workspace: Workspace())
    #expect(first == second && firstGradient == gradient)
    #expect(BLAS.threadCount == 1)
  }
}

/// A lock-protected slot per worker.
final class Results: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Int: Result<[(Double, [[Float]])], any Error>] = [:]

  func set(_ w: Int, _ value: Result<[(Double, [[Float]])], any Error>) { lock.withLock { values[w] = value } }
  func get(_ w: Int) -> Result<[(Double, [[Float]])], any Error> { lock.withLock { values[w]! } }
}
