import HSQCore

/// Everything that defines a federated SGD experiment: the components by name and every hyper-parameter.
///
/// The same config and seed give bit-identical results, whatever the thread
/// count. Every field can be changed between steps (``Experiment/set(_:to:)``);
/// the change is recorded in the experiment's event log.
public struct ExperimentConfig: Codable, Sendable, Hashable {
  /// The model, e.g. `mlp:hidden=128`.
  public var model: String = "mlp:hidden=128"
  /// The dataset, e.g. `fashion-mnist` or `linear:d=64`.
  public var dataset: String = "gaussian-mixture"
  /// How the training set is split across workers: `iid`, `dirichlet:alpha=0.5`, `shards`.
  public var partition: String = "iid"
  /// The uplink compressor every worker applies to each large layer, e.g. `hsq:dim=16,k=256`.
  public var compressor: String = "identity"
  /// The server's re-compression of the aggregate it broadcasts (two-phase), or `none`.
  public var downlink: String = "none"
  /// N, the number of workers.
  public var workers: Int = 8
  /// Fraction of workers sampled each round (seeded).
  public var participation: Double = 1
  /// How many workers are Byzantine: ids 0 ..< n scale what they send (``ClientBehaviour``); `nil` means none.
  public var byzantine: Int? = nil
  /// The factor a Byzantine worker scales its gradient (or model delta) by; `nil` means ``ClientBehaviour/defaultByzantineScale``.
  public var byzantineScale: Double? = nil
  /// Minibatch size per worker and local step.
  public var batch: Int = 32
  /// `gradient`: every worker sends its minibatch gradient (the HSQ paper); `local`: E local SGD steps, the model delta is sent (FedAvg).
  public var protocolName: RoundProtocol = .gradient
  /// E, local steps per round for the `local` protocol.
  public var localSteps: Int = 1
  /// μ of FedProx's proximal term μ/2‖x − x_global‖², added to every local step's objective (``ClientBehaviour``);
  /// `nil` means 0 (plain local SGD, and keeps configs written before this setting existed readable).
  public var proxMu: Double? = nil
  /// Learning rate.
  public var lr: Double = 0.1
  /// Heavy-ball momentum applied by the server to the aggregate.
  public var momentum: Double = 0
  /// L2 weight decay added by the server to the aggregate.
  public var weightDecay: Double = 0
  /// How the server combines the workers' decoded messages (``Aggregators``), e.g. `median`; `nil` means `mean`.
  public var aggregator: String? = nil
  /// How the server moves the model with the aggregate (``ServerOptimizers``), e.g. `fedadam:lr=0.01`; `nil` means `sgd`.
  public var serverOptimizer: String? = nil
  /// Step decay: the learning rate is multiplied by this factor…
  public var lrDecay: Double = 1
  /// …every this many epochs (0: never).
  public var lrDecayEvery: Double = 0
  /// Error feedback: one memory per worker, p = g + s·e, e ← p − Q(p).
  public var errorFeedback: Bool = false
  /// The error-feedback scale s: a number, or `warmup` for the authors' 2/(1 + e^(−epoch)) − 1.
  public var efScale: ErrorFeedbackScale = .constant(1)
  /// Layers with at most this many parameters are sent uncompressed (the authors use 1000).
  public var compressThreshold: Int = 1000

  /// Whether a layer of `parameterCount` parameters goes through the compressor: more than
  /// ``compressThreshold`` (the one place the rule is written; smaller layers are sent as float32).
  public func compresses(parameterCount: Int) -> Bool { parameterCount > compressThreshold }
  /// Root seed of every random stream.
  public var seed: UInt64 = 0
  /// Evaluate on the test set every this many steps (0: only when asked).
  public var evalEvery: Int = 0
  /// Evaluate on at most this many test examples (0: all).
  public var testSubset: Int = 0
  /// Evaluate on the whole test set at every epoch boundary and at the end of a run that crossed one; `nil` means true.
  public var evalEpochs: Bool? = nil
  /// Compute each step's exact and worst-case errors per layer (costs about one more compression).
  public var trackTheory: Bool = true
  /// Record ‖ḡ‖, the norm of the round's mean raw gradient, per step and layer; `nil` means true. Under a lossy
  /// uplink or error feedback it needs every worker's raw gradient on the server: under `backend=mpi` with more
  /// than one worker rank those travel beside the payloads, so `false` leaves only the payloads on the wire.
  public var trackGradientNorm: Bool? = nil
  /// ``trackGradientNorm`` with its default.
  public var tracksGradientNorm: Bool { trackGradientNorm ?? true }
  /// Worker threads (0: one per core). Results do not depend on it.
  public var threads: Int = 0
  /// Where the workers run (``WorkerBackends``); `nil`: threads of this process. Results do not depend on it.
  public var backend: String? = nil
  /// Save the experiment every this many steps during a run (`nil` or 0: never), atomically, to ``autosaveFile``.
  public var autosave: Int? = nil
  /// Where ``autosave`` writes (`nil`: ``defaultAutosaveFile`` in the working directory).
  public var autosaveFile: String? = nil
  /// The file ``autosave`` writes unless ``autosaveFile`` says otherwise.
  public static let defaultAutosaveFile = "autosave.safetensors"
  /// The simulated network each worker talks over (``NetworkModel``), or `none`: time is the measured wall time.
  /// `nil` means `none` (and keeps configs written before this setting existed readable).
  public var network: String? = nil

  public init() {}
}

/// One settable field of ``ExperimentConfig``: its name as typed, its doc and how to parse it.
public struct ConfigField: Sendable {
  public let name: String
  public let doc: String
  public let kind: ParameterSpec.Kind
  /// The kind of component the value names, for completion (`compressor`, `model`, …).
  public let component: ComponentKind?
  let get: @Sendable (ExperimentConfig) -> String
  let set: @Sendable (inout ExperimentConfig, String) throws -> Void
  /// Checks the stored value; `nil`: parse its text again (exact for every field but numbers with a fraction).
  let checkValue: (@Sendable (ExperimentConfig) throws -> Void)?
  /// A value at which listings (`show config`, the recorded `experiment` and `sweep` lines, long tables) leave
  /// the field out, so settings added later do not change what earlier sessions print; `nil`: always listed.
  public let quietDefault: String?

  init(
    name: String, doc: String, kind: ParameterSpec.Kind, component: ComponentKind?,
    get: @escaping @Sendable (ExperimentConfig) -> String, set: @escaping @Sendable (inout ExperimentConfig, String) throws -> Void,
    check: (@Sendable (ExperimentConfig) throws -> Void)? = nil, quietDefault: String? = nil
  ) {
    self.name = name
    self.doc = doc
    self.kind = kind
    self.component = component
    self.get = get
    self.set = set
    self.checkValue = check
    self.quietDefault = quietDefault
  }

  /// Whether listings of `configs` show this field: always, unless every config holds its ``quietDefault``.
  public func isListed(for configs: [ExperimentConfig]) -> Bool {
    guard let quietDefault else { return true }
    return configs.contains { value(in: $0) != quietDefault }
  }

  /// The current value as text.
  public func value(in config: ExperimentConfig) -> String { get(config) }

  /// Parses `text` and stores it in `config`.
  public func assign(_ text: String, in config: inout ExperimentConfig) throws { try set(&config, text) }

  /// Throws unless the value in `config` is one ``assign(_:in:)`` accepts: the same ranges, for a config that arrives already typed.
  public func check(_ config: ExperimentConfig) throws {
    if let checkValue { return try checkValue(config) }
    var copy = config
    try set(&copy, get(config))
  }
}

extension ExperimentConfig {
  /// The fields in the order help shows them.
  public static let fields: [ConfigField] = [
    component("model", \.model, .model, "The model, e.g. mlp:hidden=128 or least-squares."),
    component("dataset", \.dataset, .dataset, "The dataset, e.g. fashion-mnist or linear:d=64,n=2048."),
    component("partition", \.partition, .partition, "How training data is split across workers: iid, dirichlet:alpha=0.5, shards."),
    component("compressor", \.compressor, .compressor, "Uplink compressor for every layer above the threshold, e.g. hsq:dim=16,k=256."),
    component("downlink", \.downlink, .compressor, "Server re-compression of the broadcast aggregate (two-phase), or none."),
    int("workers", \.workers, 1...100_000, "N, the number of workers."),
    double("participation", \.participation, 0.000001...1, "Fraction of workers sampled each round."),
    ClientBehaviour.byzantineField,
    ClientBehaviour.byzantineScaleField,
    int("batch", \.batch, 1...1_000_000, "Minibatch size per worker and local step."),
    choice("protocol", \.protocolName, "gradient: workers send minibatch gradients (the HSQ paper); local: E local SGD steps, the model delta is sent."),
    int("local-steps", \.localSteps, 1...10_000, "E, local steps per round for protocol local."),
    ClientBehaviour.proxMuField,
    double("lr", \.lr, 0...1e6, "Learning rate."),
    double("momentum", \.momentum, 0...0.999999, "Heavy-ball momentum applied by the server."),
    double("weight-decay", \.weightDecay, 0...1e3, "L2 weight decay added by the server."),
    strategy(
      "aggregator", \.aggregator, .aggregator, default: "mean",
      "How the server combines the workers' messages: mean, median, trimmed-mean:beta=0.1, norm-clip:c=10."),
    strategy(
      "server-optimizer", \.serverOptimizer, .serverOptimizer, default: "sgd",
      "How the server moves the model with the aggregate: sgd (lr, momentum, weight-decay), fedavgm, fedadam, fedyogi, fedadagrad."),
    double("lr-decay", \.lrDecay, 0...1, "Step decay factor of the learning rate."),
    double("lr-decay-every", \.lrDecayEvery, 0...1e6, "Apply lr-decay every this many epochs (0: never)."),
    bool("ef", \.errorFeedback, "Error feedback: one memory per worker."),
    ConfigField(
      name: "ef-scale", doc: "Error-feedback scale: a number in [0, 1], or warmup for the authors' 2/(1 + e^(−epoch)) − 1.",
      kind: .string, component: nil, get: { $0.efScale.description },
      set: { config, text in config.efScale = try ErrorFeedbackScale(parsing: text) }),
    int("compress-threshold", \.compressThreshold, 0...Int(Int32.max), "Layers with at most this many parameters go uncompressed."),
    ConfigField(
      name: "seed", doc: "Root seed of every random stream.", kind: .int(0...Int.max), component: nil,
      get: { String($0.seed) },
      set: { config, text in
        guard let seed = UInt64(text) else {
          throw HSQError.invalidParameter(component: "experiment", parameter: "seed", problem: "'\(text)' is not a whole number ≥ 0.")
        }
        config.seed = seed
      }),
    int("eval-every", \.evalEvery, 0...Int(Int32.max), "Evaluate on the test set every this many steps (0: only when asked)."),
    int("test-subset", \.testSubset, 0...Int(Int32.max), "Evaluate on at most this many test examples (0: all); an accuracy target met on them is confirmed on all."),
    ConfigField(
      name: "eval-epochs", doc: "Evaluate on the whole test set at each epoch boundary and at the end of a run/step command that crossed one.",
      kind: .bool, component: nil, get: { ($0.evalEpochs ?? true) ? "true" : "false" },
      set: { config, text in
        guard case let .bool(v) = try ParameterSpec.bool("eval-epochs", default: true, doc: "").parse(text, component: "experiment") else { return }
        config.evalEpochs = v ? nil : false
      }),
    bool("track-theory", \.trackTheory, "Compute exact and worst-case errors per layer each step."),
    ConfigField(
      name: "track-gradient-norm",
      doc: "Record ‖ḡ‖, the norm of the round's mean raw gradient; false keeps the workers' raw gradients off the wire under backend=mpi.",
      kind: .bool, component: nil, get: { $0.tracksGradientNorm ? "true" : "false" },
      set: { config, text in
        guard case let .bool(v) = try ParameterSpec.bool("track-gradient-norm", default: true, doc: "").parse(text, component: "experiment") else { return }
        config.trackGradientNorm = v ? nil : false
      }, quietDefault: "true"),
    int("threads", \.threads, 0...256, "Worker threads (0: one per core); results do not depend on it."),
    ConfigField(
      name: "backend", doc: "Where the workers run: threads (this process) or mpi (the ranks of hsq-mpi under mpirun); results do not depend on it.",
      kind: .string, component: nil, get: { $0.backend ?? "threads" },
      set: { config, text in
        guard WorkerBackends.knownNames.contains(text) else {
          throw HSQError.invalidParameter(component: "experiment", parameter: "backend", problem: "'\(clipped(text))' is not one of \(WorkerBackends.knownNames.joined(separator: ", ")).")
        }
        config.backend = text == "threads" ? nil : text
      }),
    ConfigField(
      name: "autosave", doc: "Save the experiment every N steps while it runs (0: never), atomically, so a killed job loses at most N steps.",
      kind: .int(0...Int(Int32.max)), component: nil, get: { String($0.autosave ?? 0) },
      set: { config, text in
        guard let n = Int(text), n >= 0, n <= Int(Int32.max) else {
          throw HSQError.invalidParameter(component: "experiment", parameter: "autosave", problem: "'\(clipped(text))' is not a whole number of steps ≥ 0.")
        }
        config.autosave = n == 0 ? nil : n
      }),
    ConfigField(
      name: "autosave-file", doc: "The file autosave writes (a checkpoint 'load' reads).",
      kind: .string, component: nil, get: { $0.autosaveFile ?? ExperimentConfig.defaultAutosaveFile },
      set: { config, text in
        guard !text.isEmpty else {
          throw HSQError.invalidParameter(component: "experiment", parameter: "autosave-file", problem: "give a file name, e.g. autosave-file=run.safetensors.")
        }
        guard !Checkpoint.isJSONName(text) else {
          throw HSQError.invalidParameter(
            component: "experiment", parameter: "autosave-file",
            problem: "checkpoints are safetensors files now (JSON ones still load); use autosave-file=\(Checkpoint.safeTensorsName(for: text)).")
        }
        config.autosaveFile = text == ExperimentConfig.defaultAutosaveFile ? nil : text
      }),
    ConfigField(
      name: "network", doc: "Simulated links for round times: none, or link:uplink=10Mbit/s,downlink=50Mbit/s,latency=50ms[,spread=0.5,compute=20ms,speed=1,server=0].",
      kind: .string, component: nil, get: { $0.network ?? "none" },
      set: { config, text in
        _ = try NetworkModel.parse(text)
        config.network = text == "none" ? nil : text
      }),
  ]

  /// Throws the first field whose value ``ExperimentConfig/fields`` would not accept (the `experiment` command's ranges).
  public func validate() throws {
    for field in Self.fields { try field.check(self) }
    let optimizer = serverOptimizerName
    if momentum != 0, optimizer != "sgd" {
      throw HSQError.invalidParameter(
        component: "experiment", parameter: "momentum",
        problem: "momentum \(formatNumber(momentum)) is the 'sgd' server optimizer's, and the server optimizer is '\(optimizer)'; set momentum=0 (for server momentum use server-optimizer=fedavgm:momentum=\(formatNumber(momentum))).")
    }
    try ClientBehaviour(self).check(self)
  }

  /// The fields listings show for `configs` (every field but those at their ``ConfigField/quietDefault`` in all of them).
  public static func listedFields(for configs: [ExperimentConfig]) -> [ConfigField] {
    fields.filter { $0.isListed(for: configs) }
  }

  /// The aggregator's spelling: the setting, `mean` by default.
  public var aggregatorSpec: String { aggregator ?? "mean" }
  /// The server optimizer's spelling: the setting, `sgd` by default.
  public var serverOptimizerSpec: String { serverOptimizer ?? "sgd" }
  /// The server optimizer's registered name (the spelling up to its parameters).
  var serverOptimizerName: String { String(serverOptimizerSpec.prefix { $0 != ":" }) }

  /// The field named `name`.
  ///
  /// - Throws: ``HSQError/unknownName(kind:name:suggestion:)`` with the closest field name.
  public static func field(_ name: String) throws -> ConfigField {
    guard let field = fields.first(where: { $0.name == name }) else {
      throw HSQError.unknownName(kind: "setting", name: name, suggestion: closestMatch(to: name, in: fields.map(\.name)))
    }
    return field
  }

  private static func component(_ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, String>, _ kind: ComponentKind, _ doc: String) -> ConfigField {
    ConfigField(name: name, doc: doc, kind: .string, component: kind, get: { $0[keyPath: path] }, set: { config, text in
      _ = try ComponentRequest(parsing: text)
      config[keyPath: path] = text
    })
  }

  /// A server strategy's component: stored as `nil` at `value`, the default, so configs written before it existed read the same.
  private static func strategy(
    _ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, String?>, _ kind: ComponentKind, default value: String, _ doc: String
  ) -> ConfigField {
    ConfigField(name: name, doc: doc, kind: .string, component: kind, get: { $0[keyPath: path] ?? value }, set: { config, text in
      _ = try ComponentRequest(parsing: text)
      config[keyPath: path] = text == value ? nil : text
    }, quietDefault: value)
  }

  private static func int(_ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, Int>, _ range: ClosedRange<Int>, _ doc: String) -> ConfigField {
    let spec = ParameterSpec.int(name, range, default: nil, doc: doc)
    return ConfigField(name: name, doc: doc, kind: spec.kind, component: nil, get: { String($0[keyPath: path]) }, set: { config, text in
      guard case let .int(v) = try spec.parse(text, component: "experiment") else { return }
      config[keyPath: path] = v
    })
  }

  private static func double(_ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, Double>, _ range: ClosedRange<Double>, _ doc: String) -> ConfigField {
    let spec = ParameterSpec.double(name, range, default: nil, doc: doc)
    return ConfigField(name: name, doc: doc, kind: spec.kind, component: nil, get: { formatNumber($0[keyPath: path]) }, set: { config, text in
      guard case let .double(v) = try spec.parse(text, component: "experiment") else { return }
      config[keyPath: path] = v
    }, check: { config in try spec.check(.double(config[keyPath: path]), component: "experiment") })
  }

  private static func bool(_ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, Bool>, _ doc: String) -> ConfigField {
    let spec = ParameterSpec.bool(name, default: false, doc: doc)
    return ConfigField(name: name, doc: doc, kind: .bool, component: nil, get: { $0[keyPath: path] ? "true" : "false" }, set: { config, text in
      guard case let .bool(v) = try spec.parse(text, component: "experiment") else { return }
      config[keyPath: path] = v
    })
  }

  private static func choice<Choice: NamedChoice>(_ name: String, _ path: any Sendable & WritableKeyPath<ExperimentConfig, Choice>, _ doc: String) -> ConfigField {
    let spec = ParameterSpec.choice(name, Choice.self, default: Choice.allCases.first!, doc: doc)
    return ConfigField(name: name, doc: doc, kind: spec.kind, component: nil, get: { $0[keyPath: path].rawValue }, set: { config, text in
      guard case let .string(v) = try spec.parse(text, component: "experiment"), let choice = Choice(rawValue: v) else { return }
      config[keyPath: path] = choice
    })
  }
}
