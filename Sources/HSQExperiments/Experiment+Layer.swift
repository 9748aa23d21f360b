import HSQCore
import HSQModels

extension Experiment {
  /// The model's layer named `name`: how `theory --layer`, `plot rho --layer` and the Monte Carlo check resolve one.
  ///
  /// - Throws: ``HSQError/unknownMember(kind:name:owner:members:)`` naming the closest layer, if any, and every layer of the model.
  public func layer(named name: String) throws -> LayerInfo {
    let names = model.layers.map(\.name)
    guard let index = names.firstIndex(of: name) else {
      throw HSQError.unknownMember(kind: "layer", name: name, owner: "The model's layers", members: names)
    }
    return model.layers[index]
  }
}
