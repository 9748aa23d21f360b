import HSQCore
import HSQExperiments

/// The `Aggregator` contract as runnable checks: what the test suite holds every built-in to, and
/// `check <aggregator>` holds a loaded one to.
///
/// ```
/// declaration           the canonical spec builds the same aggregator; a summary
/// shape and finiteness  one array per layer, each as long as the layer; finite messages (outliers of
///                       10⁶ included) give finite outputs; N = 1, 2, 3, 5, 8 and 33 workers
/// determinism           the same messages give the same output, bit for bit
/// permutation           where declared: the workers reversed and rotated change no coordinate by more
///                       than the rounding of a sum of N terms, 4·N·ε·max_w |m_w,i| (ε = 2⁻²³)
/// mean                  where declared linear: every coordinate within the same rounding of the mean
///                       (computed in Double)
/// ```
///
/// The messages are seeded Gaussians with a few large outliers, so the checks are the same on every run.
public enum AggregatorContract {
  /// Worker counts every check runs on.
  public static let workerCounts = [1, 2, 3, 5, 8, 33]
  /// Layer lengths of the messages.
  public static let layers = [1, 7, 130]

  /// Builds `spec` from the registry and runs every check on it.
  ///
  /// - Throws: when `spec` does not build; failures of the aggregator itself (wrong answers or thrown
  ///   errors) are failed checks.
  public static func check(_ spec: String) throws -> [ContractCheckResult] {
    let aggregator = try Aggregators.make(spec)
    let inputs = workerCounts.map { messages(workers: $0, seed: UInt64($0)) }
    var results = [declaration(spec, aggregator), shapeAndFiniteness(aggregator, inputs), determinism(aggregator, inputs)]
    if aggregator.properties.isPermutationInvariant { results.append(permutation(aggregator, inputs)) }
    if aggregator.properties.isLinear { results.append(meanEquivalence(aggregator, inputs)) }
    return results
  }

  /// `n` workers' messages of ``layers``: standard Gaussians, with one value in 50 an outlier of ±10⁶.
  static func messages(workers n: Int, seed: UInt64) -> [[[Float]]] {
    var rng = RandomStream(seed: seed)
    return (0..<n).map { _ in
      layers.map { count in
        (0..<count).map { _ in rng.uniformDouble() < 0.02 ? (rng.uniformDouble() < 0.5 ? -1e6 : 1e6) : Float(rng.gaussian()) }
      }
    }
  }

  static func declaration(_ spec: String, _ aggregator: any Aggregator) -> ContractCheckResult {
    var r = CheckRecorder("declaration")
    r.expectDeclaration(spec, canonical: aggregator.spec, in: Aggregators.registry, spelling: \.spec)
    return r.result
  }

  static func shapeAndFiniteness(_ aggregator: any Aggregator, _ inputs: [[[[Float]]]]) -> ContractCheckResult {
    var r = CheckRecorder("shape and finiteness")
    for messages in inputs {
      r.attempt("\(messages.count) workers") { r in
        let out = try aggregator.aggregate(messages)
        r.expect(out.map(\.count) == layers, "\(messages.count) workers: layers of \(out.map(\.count)) values, expected \(layers)")
        let bad = out.joined().first { !$0.isFinite }
        r.expect(bad == nil, "\(messages.count) workers: finite messages gave \(bad.map { "\($0)" } ?? "")")
      }
    }
    return r.result
  }

  static func determinism(_ aggregator: any Aggregator, _ inputs: [[[[Float]]]]) -> ContractCheckResult {
    var r = CheckRecorder("determinism")
    for messages in inputs {
      r.attempt("\(messages.count) workers") { r in
        let a = try aggregator.aggregate(messages), b = try aggregator.aggregate(messages)
        r.expect(a.map { $0.map(\.bitPattern) } == b.map { $0.map(\.bitPattern) }, "\(messages.count) workers: two calls on the same messages differ")
      }
    }
    return r.result
  }

  static func permutation(_ aggregator: any Aggregator, _ inputs: [[[[Float]]]]) -> ContractCheckResult {
    var r = CheckRecorder("permutation invariance")
    for messages in inputs where messages.count > 1 {
      r.attempt("\(messages.count) workers") { r in
        let base = try aggregator.aggregate(messages)
        let orders = [("reversed", Array(messages.reversed())), ("rotated", Array(messages.dropFirst()) + [messages[0]])]
        for (label, permuted) in orders {
          let out = try aggregator.aggregate(permuted)
          let worst = worstExcess(out, base, messages)
          r.expect(worst == nil, "\(messages.count) workers \(label): \(worst ?? "")")
        }
      }
    }
    return r.result
  }

  static func meanEquivalence(_ aggregator: any Aggregator, _ inputs: [[[[Float]]]]) -> ContractCheckResult {
    var r = CheckRecorder("mean (declared linear)")
    for messages in inputs {
      r.attempt("\(messages.count) workers") { r in
        let out = try aggregator.aggregate(messages)
        let mean = layers.indices.map { l in
          (0..<layers[l]).map { i in Float(messages.reduce(0.0) { $0 + Double($1[l][i]) } / Double(messages.count)) }
        }
        let worst = worstExcess(out, mean, messages)
        r.expect(worst == nil, "\(messages.count) workers: not the mean, \(worst ?? "")")
      }
    }
    return r.result
  }

  /// The first coordinate where `a` and `b` differ by more than 4·N·ε·max_w |m_w,i|, described; `nil` when none does.
  static func worstExcess(_ a: [[Float]], _ b: [[Float]], _ messages: [[[Float]]]) -> String? {
    guard a.map(\.count) == b.map(\.count) else { return "layers of \(a.map(\.count)) values, expected \(b.map(\.count))" }
    let n = Float(messages.count)
    for l in a.indices {
      for i in a[l].indices {
        let scale = messages.reduce(Float(0)) { max($0, abs($1[l][i])) }
        let tolerance = 4 * n * Float.ulpOfOne * scale
        if !(abs(a[l][i] - b[l][i]) <= tolerance) {
          return "layer \(l) index \(i): \(a[l][i]) against \(b[l][i]) (tolerance \(tolerance))"
        }
      }
    }
    return nil
  }
}
