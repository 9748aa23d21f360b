import HSQCore
import HSQModels

extension Experiment {
  /// The model's layer named `name`: how `theory --layer`, `plot rho --layer` and the Monte Carlo check resolve one.
  ///
  /// - Throws: ``HSQError/unknownName(kind:name:suggestion:)`` with the closest layer name.
  public func layer(named name: String) throws -> LayerInfo {
    let layers = model.layers
    guard let layer = layers.first(where: { $0.name == name }) else {
      throw HSQError.unknownName(kind: "layer", name: name, suggestion: closestMatch(to: name, in: layers.map(\.name)))
    }
    return layer
  }
}
