import HSQCore

/// A model type that registers itself by name: its declaration plus a constructor for one input.
public protocol ModelComponent: Model, Component {
  /// Builds the model for `input` from validated parameters.
  ///
  /// - Throws: ``HSQError`` when the model cannot serve the input (e.g. `softmax` on a regression
  ///   dataset), naming the problem and the fix.
  init(_ parameters: ParameterValues, input: ModelInput) throws
}

/// A model request with validated parameters, waiting for the data it will be built for.
///
/// The registry builds factories, not models, because a model's layer sizes
/// depend on the dataset (feature count, feature shape, classes) while its
/// parameters (`hidden=256-128`) do not. The experiment resolves the factory
/// when it knows the dataset: `try factory.make(for: dataset)`.
public struct ModelFactory: Sendable {
  /// The validated parameters, defaults filled in.
  public let parameters: ParameterValues
  /// The registered declaration.
  public let info: ComponentInfo
  private let build: @Sendable (ParameterValues, ModelInput) throws -> any Model

  init(parameters: ParameterValues, info: ComponentInfo, build: @escaping @Sendable (ParameterValues, ModelInput) throws -> any Model) {
    self.parameters = parameters
    self.info = info
    self.build = build
  }

  /// The canonical spelling, e.g. `mlp:hidden=128,activation=relu,init=auto`.
  public var spec: String { parameters.canonical }

  /// The model for `input`.
  ///
  /// - Throws: ``HSQError/overMemoryBudget(what:needs:limit:fix:)`` when its parameters alone do not
  ///   fit the ``MemoryBudget`` (the model holds none yet, so nothing large has been allocated).
  public func make(for input: ModelInput) throws -> any Model {
    try input.validate(for: spec)
    let model = try build(parameters, input)
    try model.checkMemory()
    return model
  }

  /// The model for `dataset`'s feature shape, task and classes.
  public func make(for dataset: Dataset) throws -> any Model {
    try make(for: ModelInput(dataset))
  }
}

/// The model registry: every built-in plus those researchers register.
public enum Models {
  /// All registered models by name; each entry builds a ``ModelFactory``.
  public static let registry: ComponentTable<ModelFactory> = {
    let table = ComponentTable<ModelFactory>(kind: .model)
    for type in builtinModelTypes {
      do { try register(type, in: table, docComment: builtinDocComments["\(type)"]) } catch {
        preconditionFailure("built-in model \(type) failed to register: \(error)")
      }
    }
    return table
  }()

  /// The factory spelled `name:key=value,…`.
  public static func factory(_ spec: String) throws -> ModelFactory {
    try registry.make(spec)
  }

  /// Builds the model spelled `name:key=value,…` for `input`.
  public static func make(_ spec: String, for input: ModelInput) throws -> any Model {
    try factory(spec).make(for: input)
  }

  /// Builds the model spelled `name:key=value,…` for `dataset`.
  public static func make(_ spec: String, for dataset: Dataset) throws -> any Model {
    try factory(spec).make(for: dataset)
  }

  /// Registers a model type; throws when its name is taken.
  public static func register<M: ModelComponent>(_ type: M.Type) throws {
    try register(type as any ModelComponent.Type, in: registry)
  }

  private static func register(
    _ type: any ModelComponent.Type, in table: ComponentTable<ModelFactory>, docComment: String? = nil
  ) throws {
    let info = type.info.documented(by: docComment)
    try table.register(info) { values in
      ModelFactory(parameters: values, info: info) { try type.init($0, input: $1) }
    }
  }
}
