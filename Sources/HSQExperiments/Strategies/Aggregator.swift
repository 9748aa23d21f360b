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

/// Applies `body` to each coordinate's values across the workers, `values[w] = messages[w][l][i]`, and
/// stores what it returns: the shape of every coordinate-wise aggregator (median, trimmed mean).
///
/// Coordinates are independent, so the result does not depend on the order they are visited in: large
/// layers are split into element ranges across the lanes of ``LanePool``, each with its own scratch buffer.
func coordinatewise(_ messages: [[[Float]]], _ body: @escaping @Sendable (UnsafeMutableBufferPointer<Float>) -> Float) -> [[Float]] {
  let n = messages.count
  return messages[0].indices.map { l in
    let count = messages[0][l].count
    precondition(messages.allSatisfy { $0[l].count == count }, "aggregator: the workers' layer \(l) differ in length")
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      if count > 0 {
        withBaseAddresses(messages.map { $0[l] }) { sources in
          let pass = CoordinatewisePass(sources: sources, out: out.baseAddress!, count: count, workers: n, body: body)
          let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 8192))
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
/// `Sendable`): lane `i` of `n` writes only elements `count·i/n ..< count·(i+1)/n` of `out`, and reads the sources.
private struct CoordinatewisePass: @unchecked Sendable {
  let sources: [UnsafePointer<Float>]
  let out: UnsafeMutablePointer<Float>
  let count: Int
  let workers: Int
  let body: @Sendable (UnsafeMutableBufferPointer<Float>) -> Float

  func run(lane: Int, of lanes: Int) {
    precondition((0..<lanes).contains(lane), "aggregator: lane \(lane) of \(lanes)")
    let range = (count * lane / lanes)..<(count * (lane + 1) / lanes)
    var scratch = [Float](repeating: 0, count: workers)
    scratch.withUnsafeMutableBufferPointer { values in
      for i in range {
        for w in 0..<workers { values[w] = sources[w][i] }
        out[i] = body(values)
      }
    }
  }
}

/// Sorts `values` ascending in place (insertion sort: a handful of workers per coordinate), NaN last.
@inline(__always)
func sortAscending(_ values: UnsafeMutableBufferPointer<Float>) {
  for i in 1..<max(1, values.count) {
    let x = values[i]
    var j = i - 1
    while j >= 0, values[j] > x || (values[j].isNaN && !x.isNaN) {
      values[j + 1] = values[j]
      j -= 1
    }
    values[j + 1] = x
  }
}
