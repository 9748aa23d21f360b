import Foundation
import HSQCore

/// What an aggregator promises about how it combines the workers' messages.
public struct AggregatorProperties: Sendable, Hashable {
  /// The output is the mean of the messages, (1/N)·Σ_w m_w, up to rounding: a linear combination, so an
  /// unbiased compressor keeps the aggregate unbiased and THEORY.md's bounds apply. `check` holds a linear
  /// aggregator to the mean.
  public var isLinear: Bool
  /// Reordering the workers changes the output by at most the rounding of a sum of N terms.
  public var isPermutationInvariant: Bool

  public init(isLinear: Bool, isPermutationInvariant: Bool) {
    self.isLinear = isLinear
    self.isPermutationInvariant = isPermutationInvariant
  }
}

/// How the server turns the workers' decoded messages into one update: the `aggregator` setting.
///
/// The contract (`check` holds an aggregator to it):
/// * `aggregate(messages)` has one array per layer, each as long as the messages' layer;
/// * finite messages give finite outputs;
/// * the same messages give the same output bit for bit (no randomness, no dependence on threads);
/// * a permutation-invariant one gives the same output, up to rounding, for the workers in any order;
/// * a linear one gives the mean of the messages, up to rounding.
///
/// Only the messages reach the aggregator, as the server decoded them, in worker order
/// (`messages[w][layer][i]`); the server then hands the result to the server optimizer.
public protocol Aggregator: Sendable {
  /// The canonical spelling, e.g. `trimmed-mean:beta=0.1`.
  var spec: String { get }
  var properties: AggregatorProperties { get }
  /// One update from the participating workers' messages (at least one; every worker's layers have the same lengths).
  func aggregate(_ messages: [[[Float]]]) throws -> [[Float]]
}

/// An aggregator that registers itself by name: its declaration plus a constructor from parameters.
public protocol AggregatorComponent: Aggregator, Component {
  init(_ parameters: ParameterValues) throws
}

extension Aggregator {
  /// `aggregate(messages)` after checking that its shape is the messages' (a custom aggregator's mistake
  /// becomes an error naming it, not an index out of range in the server's update).
  func checkedAggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    let output = try aggregate(messages)
    let layers = messages[0].map(\.count)
    guard output.map(\.count) == layers else {
      throw HSQError.invalidState("The aggregator '\(spec)' returned layers of \(output.map(\.count)) values for messages of \(layers); it must return one array per layer, as long as the layer.")
    }
    return output
  }
}

/// Sixteen coordinates at a time: what the coordinate-wise aggregators sort and reduce.
typealias CoordinateLanes = SIMD16<Float>

/// Sorts each coordinate's values across the workers and reduces them with `reduce`, sixteen coordinates at a
/// time: the shape of every coordinate-wise aggregator (median, trimmed mean).
///
/// `reduce(sorted, n)` gets the workers' values of sixteen coordinates sorted ascending lane by lane
/// (`sorted[0]` the smallest of each, `sorted[n − 1]` the largest) and returns the sixteen results. The sort is
/// an odd-even transposition network of branch-free compare-exchanges (n rounds; NaN never swaps), so every
/// lane gets the sorted order of its values whatever its neighbours hold. Coordinates are independent, so
/// large layers are split into element ranges across the lanes of ``LanePool`` without changing a bit.
func coordinatewise(
  _ messages: [[[Float]]], _ reduce: @escaping @Sendable (UnsafeMutablePointer<CoordinateLanes>, Int) -> CoordinateLanes
) -> [[Float]] {
  let n = messages.count
  return messages[0].indices.map { l in
    let count = messages[0][l].count
    precondition(messages.allSatisfy { $0[l].count == count }, "aggregator: the workers' layer \(l) differ in length")
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      if count > 0 {
        withBaseAddresses(messages.map { $0[l] }) { sources in
          let pass = CoordinatewisePass(sources: sources, out: out.baseAddress!, count: count, workers: n, reduce: reduce)
          let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 16_384))
          LanePool.shared.run(lanes: lanes) { pass.run(lane: $0, of: lanes) }
        }
      }
      initialized = count
    }
  }
}

/// One layer's sources and output for ``coordinatewise(_:_:)``, handed to the lanes.
///
/// Built inside the buffers' `withUnsafe…BufferPointer` calls and used only there. Invariant (why it may be
/// `Sendable`): lane `i` of `n` writes only its own blocks of 16 elements of `out` (`count·i/n` and
/// `count·(i+1)/n` rounded down to a multiple of 16, the last lane to `count`), and only reads the sources.
private struct CoordinatewisePass: @unchecked Sendable {
  let sources: [UnsafePointer<Float>]
  let out: UnsafeMutablePointer<Float>
  let count: Int
  let workers: Int
  let reduce: @Sendable (UnsafeMutablePointer<CoordinateLanes>, Int) -> CoordinateLanes

  func run(lane: Int, of lanes: Int) {
    precondition((0..<lanes).contains(lane), "aggregator: lane \(lane) of \(lanes)")
    let width = CoordinateLanes.scalarCount
    let start = count * lane / lanes / width * width
    let end = lane == lanes - 1 ? count : count * (lane + 1) / lanes / width * width
    guard start < end else { return }
    let values = UnsafeMutablePointer<CoordinateLanes>.allocate(capacity: workers)
    defer { values.deallocate() }
    var i = start
    while i + width <= end {
      for w in 0..<workers { values[w] = UnsafeRawPointer(sources[w] + i).loadUnaligned(as: CoordinateLanes.self) }
      sortAcrossWorkers(values, workers)
      UnsafeMutableRawPointer(out + i).storeBytes(of: reduce(values, workers), as: CoordinateLanes.self)
      i += width
    }
    guard i < end else { return }
    // The last partial block: the missing lanes hold zeros, and only the real ones are stored.
    for w in 0..<workers {
      var block = CoordinateLanes()
      for k in 0..<(end - i) { block[k] = sources[w][i + k] }
      values[w] = block
    }
    sortAcrossWorkers(values, workers)
    let result = reduce(values, workers)
    for k in 0..<(end - i) { out[i + k] = result[k] }
  }
}

/// Sorts `v[0..<n]` ascending lane by lane: n rounds of odd-even transposition, branch-free (equal values and
/// NaN never swap).
@inline(__always)
func sortAcrossWorkers(_ v: UnsafeMutablePointer<CoordinateLanes>, _ n: Int) {
  for round in 0..<n {
    var j = round & 1
    while j + 1 < n {
      let a = v[j], b = v[j + 1]
      let swap = b .< a
      v[j] = a.replacing(with: b, where: swap)
      v[j + 1] = b.replacing(with: a, where: swap)
      j += 2
    }
  }
}
