import Foundation
import HSQ

/// A saved checkpoint as a JSON tree, for tests that doctor it the way a careless or hostile user would.
struct CheckpointFixture {
  let tree: [String: Any]

  /// Saves `experiment` and parses the file once.
  init(_ experiment: Experiment) throws {
    let path = Self.temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try experiment.save(to: path)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    tree = try JSONSerialization.jsonObject(with: data) as! [String: Any]
  }

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
