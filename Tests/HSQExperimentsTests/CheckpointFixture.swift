import Foundation
import HSQ
@testable import HSQExperiments

/// A JSON checkpoint (version 2, as hsq wrote them before safetensors) as a tree, for tests that doctor it
/// the way a careless or hostile user would. The validator it meets is the one every version meets.
struct CheckpointFixture {
  let tree: [String: Any]

  /// The JSON checkpoint of `experiment`, parsed once.
  init(_ experiment: Experiment) throws {
    tree = try JSONSerialization.jsonObject(with: Self.json(experiment)) as! [String: Any]
  }

  /// `experiment`'s checkpoint in the JSON layout of version 2.
  static func json(_ experiment: Experiment) throws -> Data { try Checkpoint.version2JSON(experiment) }

  static func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("hsq-checkpoint-\(UUID()).json").path
  }

  /// Writes the tree after `edit` and loads it: the experiment, or the error message.
  func load(_ edit: (inout [String: Any]) -> Void) throws -> Result<Experiment, any Error> {
    var copy = tree
    edit(&copy)
    let path = Self.temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try JSONSerialization.data(withJSONObject: copy).write(to: URL(fileURLWithPath: path))
    return Result { try Experiment.load(from: path) }
  }

  /// The error `load` gives after `edit`, or `nil` when it loads.
  func loadError(_ edit: (inout [String: Any]) -> Void) throws -> String? {
    switch try load(edit) {
    case .success: return nil
    case let .failure(error): return "\(error)"
    }
  }

  /// Base64 of `count` bytes (zeros).
  static func bytes(_ count: Int) -> String { Data(count: count).base64EncodedString() }
}

extension Dictionary where Key == String, Value == Any {
  /// The value at a dotted key path, e.g. `config.batch`.
  subscript(path path: String) -> Any? {
    get {
      let keys = path.split(separator: ".").map(String.init)
      var node: Any? = self
      for key in keys { node = (node as? [String: Any])?[key] }
      return node
    }
    set {
      let keys = path.split(separator: ".").map(String.init)
      if keys.count == 1 { self[keys[0]] = newValue; return }
      var child = self[keys[0]] as? [String: Any] ?? [:]
      child[path: keys.dropFirst().joined(separator: ".")] = newValue
      self[keys[0]] = child
    }
  }
}
