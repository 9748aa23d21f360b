/// The aggregator file `hsq-new-compressor --kind aggregator` writes: a complete, documented aggregator
/// that passes hsq's aggregator contract, to be edited into a new one. `__Type__` and `__name__` are replaced.
let aggregatorTemplate = #"""
import HSQ

/// Clamps every coordinate of every message to [−limit, limit], then takes the mean: a worker sending a
/// huge value moves a coordinate by at most limit/N.
///
/// ```
/// A(m_1, …, m_N)_i = (1/N) · Σ_w clamp(m_w,i, −limit, limit)
/// ```
///
/// Written by `swift package hsq-new-compressor __Type__ --kind aggregator` as a starting point: replace
/// the maths, keep the shape. Each member is a hook hsq reads — `info` for help and parameters, `spec` to
/// rebuild it, `properties` for `theory` and the contract (`check __name__`), `aggregate` for the server.
///
/// **Properties:** not linear (clamping changes the mean of large messages, so `theory`'s unbiasedness
/// does not hold); permutation invariant up to rounding; deterministic.
///
/// Parameters: `limit`, > 0 (default 1).
public struct __Type__: AggregatorComponent {
  /// What `help __name__` prints, and the parameters `__name__:limit=0.5` is parsed against.
  public static let info = ComponentInfo(
    kind: .aggregator, name: "__name__",
    summary: "Clamps every coordinate of every message to [−limit, limit], then takes the mean.",
    doc: "A worker sending a huge value moves a coordinate by at most limit/N. Not linear; permutation invariant.",
    parameters: [.double("limit", 1e-30...1e30, default: 1, doc: "The magnitude every coordinate is clamped to, > 0.")])

  public let limit: Float

  public init(_ parameters: ParameterValues) throws {
    limit = Float(parameters.double("limit"))
  }

  /// The canonical spelling: `setting aggregator=…` and checkpoints rebuild the aggregator from it.
  public var spec: String { "__name__:limit=\(formatNumber(Double(limit)))" }

  public var properties: AggregatorProperties { .init(isLinear: false, isPermutationInvariant: true) }

  /// `messages[w][layer][i]`: every participating worker's decoded message, in worker order.
  public func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    let scale = 1 / Float(messages.count)
    return messages[0].indices.map { l in
      var out = [Float](repeating: 0, count: messages[0][l].count)
      for message in messages {
        for i in out.indices { out[i] += scale * min(max(message[l][i], -limit), limit) }
      }
      return out
    }
  }
}

/// `load` calls this after opening the compiled file: it registers the aggregator by name.
@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { try Aggregators.register(__Type__.self) }
}

"""#

/// The test file written next to an aggregator: hsq's aggregator contract, run by `swift test`.
let aggregatorContractTestTemplate = #"""
import HSQ
import HSQContract
import Testing
__imports__
// hsq's aggregator contract for __Type__: the checks every built-in passes in hsq's own tests and
// `check __name__` runs in hsq-repl. Put this file in a test target that depends on hsq's
// `HSQContract` product and on the target that holds __Type__.swift.

/// Registers __Type__ once for all tests (the registry is process-wide).
private let registration = Result { try Aggregators.register(__Type__.self) }

@Suite("__Type__ holds hsq's aggregator contract")
struct __Type__ContractTests {
  @Test("every contract check passes", arguments: ["__name__", "__name__:limit=0.001", "__name__:limit=1000"])
  func contract(spec: String) throws {
    try registration.get()
    for result in try AggregatorContract.check(spec) {
      #expect(result.passed, "\(spec): \(result.name): \(result.detail)")
    }
  }
}

"""#
