import HSQCore

/// What a worker does besides plain SGD: FedProx's proximal term, and in the Byzantine scenario a scaled message.
///
/// Built from the config (settings `prox-mu`, `byzantine`, `byzantine-scale`) by every worker host, so a worker in
/// another process (an MPI rank) does what a thread does: nothing but the config travels.
///
/// **FedProx** (Li et al. 2020). Each local step of the `local` protocol descends the proximal objective
///
/// ```
/// h_w(x) = f_w(x) + μ/2 ‖x − x_g‖²          x_g = the parameters the round started from
/// x ← x − η (g_w(x) + λx + μ (x − x_g))      g_w = worker w's minibatch gradient, λ = weight-decay
/// ```
///
/// The term pulls each client's local iterates towards the global model, which bounds how far E local steps on a
/// skewed shard can drift. Its gradient is 0 at x = x_g, so it changes nothing in the first local step (E = 1 is
/// plain FedAvg) and nothing under the `gradient` protocol, where a worker evaluates one gradient at x_g: `prox-mu`
/// above 0 with `protocol=gradient` is an error rather than a silent no-op. μ = 0 runs the plain local step itself,
/// so every record without the setting stays bit-identical. The reported loss is f_w at x_g (the first local
/// step's), where the proximal term is 0.
///
/// **Byzantine workers.** Workers 0 ..< n (`byzantine=n`) are adversarial: each computes its honest gradient (or
/// local-SGD delta) g, then runs the honest client code on b·g (`byzantine-scale=b`, default −10): error feedback
/// p = b·g + s·e, the protocol's compressor encodes p, and the memory keeps p − Q(p). That is what a real attacker on
/// a compressed channel does: the server accepts only payloads its decoder reads, so the attacker sends a valid
/// encoding of the vector it wants aggregated (scaling the payload's bytes would not decode to a scaled vector for
/// most codes); its diagnostics frame carries b·g too. Its reported loss is its honest minibatch loss. Which workers
/// attack is fixed by id, so the scenario is deterministic and does not depend on the seed; under partial
/// participation an attacker attacks in the rounds it is sampled.
///
/// **Properties:** deterministic, bit-identical across thread counts and backends (each worker's arithmetic is its
/// own); the convergence bounds assume honest workers and no proximal term (`bound` says so).
///
/// - Parameter prox-mu: μ ≥ 0 (0: off). Li et al. tune μ in {0.001, 0.01, 0.1, 1}.
/// - Parameter byzantine: n, 0 … workers.
/// - Parameter byzantine-scale: b, any finite number; −10 by default (flips and amplifies), 1 is honest.
public struct ClientBehaviour: Sendable, Hashable {
  /// The scale of a Byzantine worker's message when `byzantine-scale` is not set.
  public static let defaultByzantineScale = -10.0

  /// μ, the proximal term's weight (0: plain local SGD).
  public let proxMu: Double
  /// n: workers 0 ..< n are Byzantine.
  public let byzantineCount: Int
  /// b, the factor a Byzantine worker scales its message by.
  public let byzantineScale: Double

  public init(_ config: ExperimentConfig) {
    proxMu = config.proxMu ?? 0
    byzantineCount = config.byzantine ?? 0
    byzantineScale = config.byzantineScale ?? Self.defaultByzantineScale
  }

  /// Whether worker `w` is one of the Byzantine workers.
  public func isByzantine(_ worker: Int) -> Bool { worker < byzantineCount }

  /// Throws when the settings contradict the rest of `config`: `prox-mu` without local steps, more Byzantine workers than workers.
  func check(_ config: ExperimentConfig) throws {
    if proxMu > 0, config.protocolName != .local {
      throw HSQError.incompatible(
        subject: "Setting 'prox-mu'", needs: "local steps (protocol=local)", found: "protocol is '\(config.protocolName.rawValue)'",
        fix: "set protocol=local, or prox-mu=0 (a worker of the gradient protocol evaluates one gradient at the global model, where the proximal term's gradient μ(x − x_g) is 0)")
    }
    if byzantineCount > config.workers {
      throw HSQError.constraint(
        subject: "Setting 'byzantine'", rule: "counts workers 0 ..< n, at most 'workers'", given: "byzantine=\(byzantineCount) with workers=\(config.workers)",
        fix: "Lower 'byzantine' or raise 'workers'")
    }
  }

  /// `g ← b·g` for a Byzantine `worker`; nothing for an honest one.
  func poison(_ g: inout [[Float]], worker: Int) {
    guard isByzantine(worker) else { return }
    let b = Float(byzantineScale)
    for layer in g.indices { Vec.scale(&g[layer], by: b) }
  }

  /// One local step in place, x ← x − η(g + λx + μ(x − x_g)); with μ = 0 exactly the plain x ← x − η(g + λx).
  func localStep(_ x: inout [[Float]], gradient: [[Float]], start: [[Float]], rate: Float, decay: Float) {
    if proxMu > 0 {
      let mu = Float(proxMu)
      for layer in 0..<x.count {
        for i in 0..<x[layer].count {
          x[layer][i] -= rate * (gradient[layer][i] + decay * x[layer][i] + mu * (x[layer][i] - start[layer][i]))
        }
      }
    } else {
      for layer in 0..<x.count {
        for i in 0..<x[layer].count { x[layer][i] -= rate * (gradient[layer][i] + decay * x[layer][i]) }
      }
    }
  }
}

extension ClientBehaviour {
  /// `prox-mu`: μ ≥ 0, stored as `nil` when 0 (configs without it read as before).
  static let proxMuField = optionalDouble(
    "prox-mu", \.proxMu, 0...1e6, default: 0,
    "FedProx: μ of the proximal term μ/2‖x − x_global‖² in each local step (protocol local; 0: off).")

  /// `byzantine`: the number of adversarial workers (ids 0 ..< n).
  static let byzantineField: ConfigField = {
    let spec = ParameterSpec.int("byzantine", 0...100_000, default: nil, doc: "")
    return ConfigField(
      name: "byzantine", doc: "Byzantine scenario: workers 0 ..< n send their gradient (or delta) scaled by byzantine-scale, validly encoded.",
      kind: spec.kind, component: nil, get: { String($0.byzantine ?? 0) },
      set: { config, text in
        guard case let .int(v) = try spec.parse(text, component: "experiment") else { return }
        config.byzantine = v == 0 ? nil : v
      }, quietDefault: "0")
  }()

  /// `byzantine-scale`: b, default −10.
  static let byzantineScaleField = optionalDouble(
    "byzantine-scale", \.byzantineScale, -1e6...1e6, default: defaultByzantineScale,
    "The factor b a Byzantine worker scales its message by (default -10; 1 is honest).")

  /// A number field stored as `nil` at its default, so configs written before it existed read (and encode) as before;
  /// listings leave it out at its default.
  private static func optionalDouble(
    _ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, Double?>, _ range: ClosedRange<Double>, default value: Double, _ doc: String
  ) -> ConfigField {
    let spec = ParameterSpec.double(name, range, default: value, doc: doc)
    return ConfigField(
      name: name, doc: doc, kind: spec.kind, component: nil, get: { formatNumber($0[keyPath: path] ?? value) },
      set: { config, text in
        guard case let .double(v) = try spec.parse(text, component: "experiment") else { return }
        config[keyPath: path] = v == value ? nil : v
      },
      check: { config in try spec.check(.double(config[keyPath: path] ?? value), component: "experiment") },
      quietDefault: formatNumber(value))
  }
}
