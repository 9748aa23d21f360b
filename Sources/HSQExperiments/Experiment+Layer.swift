import HSQCore
import HSQModels

extension Experiment {
  /// The model's layer named `name`: how `theory --layer`, `plot rho --layer` and the Monte Carlo check resolve one.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` naming the closest layer, if any, and every layer of the model.
  public func layer(named name: String) throws -> LayerInfo {
    let names = model.layers.map(\.name)
    guard let index = names.firstIndex(of: name) else {
      let hint = closestMatch(to: name, in: names).map { " Did you mean '\($0)'?" } ?? ""
      throw HSQError.invalidArgument("Unknown layer '\(clipped(name))'.\(hint) The model's layers: \(names.joined(separator: ", ")).")
    }
    return model.layers[index]
  }
}
