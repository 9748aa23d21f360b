import HSQCore
import HSQExperiments

/// Legend labels and titles written from what the experiments are, not what they are called.
///
/// A label names the compressor with the settings it was given, `+ EF` when
/// error feedback is on, and any other setting in which the plotted
/// experiments differ (`lr=0.05`, `partition=dirichlet:alpha=0.5`):
/// ```
/// uncompressed
/// hsq (dim=16, k=256, codebook=kmeans, norm-bits=6) + EF
/// qsgd (bits=2, bucket=128)
/// topk (ratio=0.01) + EF, lr=0.05
/// ```
/// Settings that do not change what is trained (evaluation schedule, threads,
/// backend, autosave) are left out. Two experiments whose labels would still be
/// the same get their names in brackets.
public enum SeriesLabel {
  /// Settings a label never shows: the compressor and EF have their own place, the rest do not change the run.
  static let notShown: Set<String> = [
    "compressor", "ef", "eval-every", "test-subset", "eval-epochs", "track-theory", "threads", "backend", "autosave", "autosave-file",
  ]

  /// The legend label of each experiment, plotted together.
  ///
  /// - Parameters:
  ///   - configs: the experiments' settings, in legend order.
  ///   - names: their names, to tell apart experiments whose settings are the same.
  /// - Returns: one label per config.
  public static func describe(_ configs: [ExperimentConfig], names: [String]) -> [String] {
    let differing = ExperimentConfig.fields.filter { field in
      !notShown.contains(field.name) && Set(configs.map { field.value(in: $0) }).count > 1
    }
    var labels = configs.map { config -> String in
      var label = compressor(config.compressor) + (config.errorFeedback ? " + EF" : "")
      let extra = differing.map { "\($0.name)=\($0.value(in: config))" }
      if !extra.isEmpty { label += ", " + extra.joined(separator: ", ") }
      return label
    }
    let repeated = Set(labels.filter { label in labels.filter { $0 == label }.count > 1 })
    for i in labels.indices where repeated.contains(labels[i]) {
      labels[i] += " [\(i < names.count ? names[i] : String(i + 1))]"
    }
    return labels
  }

  /// A compressor setting as a label: `hsq (dim=16, k=256)`, `uncompressed` for `identity`.
  ///
  /// - Parameter text: the setting as given, e.g. `hsq:dim=16,k=256`.
  public static func compressor(_ text: String) -> String {
    guard let request = try? ComponentRequest(parsing: text) else { return text }
    if request.name == "identity" && request.arguments.isEmpty { return "uncompressed" }
    guard !request.arguments.isEmpty else { return request.name }
    return request.name + " (" + request.arguments.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
  }

  /// What the experiments share, for a title: `mlp:hidden=128 on fashion-mnist, 8 workers × batch 32`.
  ///
  /// Each part appears only when every experiment has the same value; empty when they share nothing.
  /// A model or dataset whose parameters make it longer than 24 characters is named without them
  /// (`linear`, not `linear:d=512,n=4096,n-test=0,condition=10`), so the title stays readable.
  ///
  /// - Parameter configs: the plotted experiments' settings.
  public static func context(_ configs: [ExperimentConfig]) -> String {
    guard let first = configs.first else { return "" }
    func same<T: Equatable>(_ value: (ExperimentConfig) -> T) -> Bool { configs.allSatisfy { value($0) == value(first) } }
    func short(_ component: String) -> String {
      component.count <= 24 ? component : String(component.prefix { $0 != ":" })
    }
    var what: [String] = []
    switch (same(\.model), same(\.dataset)) {
    case (true, true): what.append("\(short(first.model)) on \(short(first.dataset))")
    case (true, false): what.append(short(first.model))
    case (false, true): what.append(short(first.dataset))
    case (false, false): break
    }
    switch (same(\.workers), same(\.batch)) {
    case (true, true): what.append("\(first.workers) workers × batch \(first.batch)")
    case (true, false): what.append("\(first.workers) workers")
    case (false, true): what.append("batch \(first.batch)")
    case (false, false): break
    }
    return what.joined(separator: ", ")
  }
}
