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
/// Coordinates are independent, so the result does not depend on the order they are visited in.
func coordinatewise(_ messages: [[[Float]]], _ body: (inout [Float]) -> Float) -> [[Float]] {
  let n = messages.count
  var values = [Float](repeating: 0, count: n)
  return messages[0].indices.map { l in
    let count = messages[0][l].count
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      for i in 0..<count {
        for w in 0..<n { values[w] = messages[w][l][i] }
        out[i] = body(&values)
      }
      initialized = count
    }
  }
}

/// Sorts `values` ascending in place (insertion sort: a handful of workers per coordinate), NaN last.
@inline(__always)
func sortAscending(_ values: inout [Float]) {
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
