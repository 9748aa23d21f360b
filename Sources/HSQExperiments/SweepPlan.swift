import HSQCore

/// What a sweep runs: a base config, a grid of settings, a list of seeds and one stop condition.
///
/// ```
/// configurations = axis₁ values × axis₂ values × …   (the first axis varies slowest)
/// runs           = configurations × seeds             (configuration-major)
/// ```
///
/// An axis may link settings with `+` (`compressor+ef=identity+false,hsq+true`): they change together.
/// A configuration is one choice of value per axis; its runs differ only in
/// their seed, so they are the samples a confidence interval is computed from.
/// Every run is an ordinary experiment with `threads=1` (results do not
/// depend on the thread count), so each is identical to the same experiment
/// run alone.
public struct SweepPlan: Codable, Sendable, Hashable {
  /// One setting and the values it takes.
  public struct Axis: Codable, Sendable, Hashable {
    public var setting: String
    public var values: [String]

    public init(setting: String, values: [String]) {
      self.setting = setting
      self.values = values
    }

    /// The settings this axis sets: one, or several linked with `+` (`compressor+ef`, values `hsq+true`).
    public var settings: [String] { setting.split(separator: "+").map(String.init) }

    /// `value` split into one part per setting.
    public func parts(of value: String) throws -> [(setting: String, value: String)] {
      let names = settings
      guard names.count > 1 else { return [(setting, value)] }
      let parts = value.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
      guard parts.count == names.count else {
        throw HSQError.invalidArgument("'\(clipped(value))' gives \(parts.count) value(s) for the \(names.count) linked settings \(setting); write one per setting joined by '+', e.g. hsq+true.")
      }
      return Array(zip(names, parts))
    }

    /// Stores `value` (every linked part) in `config`.
    func assign(_ value: String, in config: inout ExperimentConfig) throws {
      for (name, part) in try parts(of: value) { try ExperimentConfig.field(name).assign(part, in: &config) }
    }
  }

  /// The settings every run shares (before the axes and the seed are applied).
  public var base: ExperimentConfig
  public var axes: [Axis]
  public var seeds: [UInt64]
  public var condition: StopCondition

  /// A plan; checks every axis value and the stop condition.
  ///
  /// - Throws: an unknown setting, a bad value, `seed` as an axis (use `seeds`), no seeds, or an unbounded condition.
  public init(base: ExperimentConfig, axes: [Axis], seeds: [UInt64], condition: StopCondition) throws {
    guard !seeds.isEmpty else { throw HSQError.invalidArgument("A sweep needs at least one seed, e.g. seeds=0..4.") }
    guard Set(seeds).count == seeds.count else { throw HSQError.invalidArgument("The seeds of a sweep must differ; got \(seeds.map(String.init).joined(separator: ",")).") }
    guard !condition.isUnbounded else {
      throw HSQError.invalidArgument("A sweep needs a stop condition, e.g. --epochs 2 or --steps 500.")
    }
    for axis in axes {
      if axis.settings.contains("seed") { throw HSQError.invalidArgument("Give seeds as seeds=0..4, not as a setting to sweep.") }
      guard !axis.values.isEmpty else { throw HSQError.invalidArgument("'\(axis.setting)' has no values to sweep.") }
      guard Set(axis.values).count == axis.values.count else {
        throw HSQError.invalidArgument("'\(axis.setting)' lists a value twice (\(axis.values.joined(separator: ", "))).")
      }
      var probe = base
      for value in axis.values { try axis.assign(value, in: &probe) }
    }
    let swept = axes.flatMap(\.settings)
    guard Set(swept).count == swept.count else { throw HSQError.invalidArgument("A setting is swept twice; give all its values in one key=a,b,c.") }
    self.base = base
    self.axes = axes
    self.seeds = seeds
    self.condition = condition
  }

  /// The number of configurations (the product of the axes' lengths).
  public var configurationCount: Int { axes.reduce(1) { $0 * $1.values.count } }

  /// The number of runs (configurations × seeds).
  public var runCount: Int { configurationCount * seeds.count }

  /// The axis values of configuration `index`, in axis order.
  public func values(ofConfiguration index: Int) -> [(setting: String, value: String)] {
    var rest = index
    var picked: [[(setting: String, value: String)]] = []
    for axis in axes.reversed() {
      let value = axis.values[rest % axis.values.count]
      picked.append((try? axis.parts(of: value)) ?? [(axis.setting, value)])
      rest /= axis.values.count
    }
    return picked.reversed().flatMap { $0 }
  }

  /// A short label for configuration `index`: its axis values as `key=value`, or `base` without axes.
  public func label(ofConfiguration index: Int) -> String {
    let values = values(ofConfiguration: index)
    return values.isEmpty ? "base" : values.map { "\($0.setting)=\($0.value)" }.joined(separator: " ")
  }

  /// The config of run (configuration, seed): the base, the configuration's values, the seed, one thread.
  public func config(configuration index: Int, seed: UInt64) throws -> ExperimentConfig {
    var config = base
    for (setting, value) in values(ofConfiguration: index) { try ExperimentConfig.field(setting).assign(value, in: &config) }
    config.seed = seed
    config.threads = 1
    return config
  }

  /// Splits `a,b,c` into values, keeping a component's own parameters with it.
  ///
  /// A piece that is `key=value` without a `:` continues the previous value's parameters, so
  /// `hsq:dim=16,k=256,qsgd:bits=2,topk:ratio=0.01` is three compressors and `0.1,0.05` two numbers.
  public static func splitValues(_ text: String) -> [String] {
    var values: [String] = []
    for piece in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
      if let last = values.last, last.contains(":"), piece.contains("="), !piece.contains(":") {
        values[values.count - 1] += "," + piece
      } else {
        values.append(piece)
      }
    }
    return values
  }

  /// Parses `0..4` (inclusive), `0,1,2` or a single seed.
  public static func parseSeeds(_ text: String) throws -> [UInt64] {
    let bad = HSQError.invalidArgument("'seeds=\(clipped(text))' is not a seed list; write seeds=0..4 or seeds=1,7,42.")
    if let range = text.range(of: "..") {
      guard let low = UInt64(text[..<range.lowerBound]), let high = UInt64(text[range.upperBound...]), low <= high, high - low < 10_000 else { throw bad }
      return Array(low...high)
    }
    let seeds = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
    guard !seeds.isEmpty, seeds.allSatisfy({ $0 != nil }) else { throw bad }
    return seeds.map { $0! }
  }
}
