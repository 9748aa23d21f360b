import HSQ

/// Every registry, by kind, for help, apropos, list and completion.
enum Catalog {
  struct Kind: Sendable {
    let plural: String
    let kind: ComponentKind
    let registered: @Sendable () -> [ComponentInfo]

    init(plural: String, kind: ComponentKind, infos: @escaping @Sendable () -> [ComponentInfo]) {
      self.plural = plural
      self.kind = kind
      self.registered = infos
    }

    /// The kind's components in alphabetical order, built-in or registered later alike.
    func infos() -> [ComponentInfo] { registered().sorted { $0.name < $1.name } }
  }

  static let kinds: [Kind] = [
    Kind(plural: "compressors", kind: .compressor, infos: { Compressors.registry.infos }),
    Kind(plural: "codebooks", kind: .codebook, infos: { Codebooks.registry.infos }),
    Kind(plural: "models", kind: .model, infos: { Models.registry.infos }),
    Kind(plural: "datasets", kind: .dataset, infos: { Datasets.registry.infos }),
    Kind(plural: "partitions", kind: .partition, infos: { Partitions.registry.infos }),
    Kind(plural: "aggregators", kind: .aggregator, infos: { Aggregators.registry.infos }),
    Kind(plural: "server-optimizers", kind: .serverOptimizer, infos: { ServerOptimizers.registry.infos }),
  ]

  /// The kind spelled `word`: `compressor`, `compressors`, …
  static func kind(_ word: String) -> Kind? {
    kinds.first { $0.plural == word || $0.kind.rawValue == word }
  }

  static func infos(of kind: ComponentKind) -> [ComponentInfo] {
    kinds.first { $0.kind == kind }?.infos() ?? []
  }

  /// Every component named `name`, of any kind (a name may be both a model and a dataset).
  static func infos(named name: String) -> [ComponentInfo] {
    kinds.flatMap { $0.infos() }.filter { $0.name == name }
  }

  static var allInfos: [ComponentInfo] { kinds.flatMap { $0.infos() } }
}
