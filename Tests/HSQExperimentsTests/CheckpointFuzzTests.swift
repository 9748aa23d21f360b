import Foundation
import HSQ
import HSQCore
@testable import HSQExperiments
import Testing

/// 10,000 seeded mutations of a real checkpoint: every one loads with a clear error or steps without trapping.
@Suite struct CheckpointFuzzTests {
  /// A tiny experiment with everything a checkpoint can hold: momentum, error feedback, a downlink and its memory.
  static func checkpoint() throws -> CheckpointFixture {
    var c = ExperimentConfig()
    c.model = "least-squares"
    c.dataset = "linear:d=4,n=32,n-test=8"
    c.compressor = "hsq:dim=2,k=4,codebook=gaussian"
    c.downlink = "topk:k=2"
    c.compressThreshold = 0
    c.workers = 2
    c.batch = 4
    c.momentum = 0.9
    c.errorFeedback = true
    c.evalEvery = 1
    c.threads = 1
    let e = try Experiment(c)
    try e.step()
    try e.step()
    return try CheckpointFixture(e)
  }

  /// Numbers a careless or hostile edit puts in a checkpoint.
  static var extremes: [Any] { [
    Int.max, Int.min, Int.max - 1, -1, 0, 1, 2, 3, 1 << 31, 1 << 53, 1e308, -1e308, 0.5, "nan", "inf", "-inf",
  ] }

  /// Every path in the tree, as keys and indices.
  static func paths(_ node: Any, _ prefix: [PathStep] = [], into all: inout [[PathStep]]) {
    all.append(prefix)
    if let dict = node as? [String: Any] {
      for (key, child) in dict { paths(child, prefix + [.key(key)], into: &all) }
    } else if let array = node as? [Any] {
      for (i, child) in array.enumerated() { paths(child, prefix + [.index(i)], into: &all) }
    }
  }

  enum PathStep { case key(String), index(Int) }

  /// Applies `change` to the node at `path` (a nil result drops it).
  static func edit(_ node: Any, at path: ArraySlice<PathStep>, _ change: (Any) -> Any?) -> Any? {
    guard let step = path.first else { return change(node) }
    switch step {
    case let .key(key):
      guard var dict = node as? [String: Any], let child = dict[key] else { return node }
      dict[key] = edit(child, at: path.dropFirst(), change)
      return dict
    case let .index(i):
      guard var array = node as? [Any], i < array.count else { return node }
      if let value = edit(array[i], at: path.dropFirst(), change) { array[i] = value } else { array.remove(at: i) }
      return array
    }
  }

  /// One random change of one node: drop, resize, retype, or an extreme number.
  static func mutate(_ node: Any, _ rng: inout RandomStream) -> Any? {
    switch rng.int(below: 8) {
    case 0: return nil
    case 1:
      guard let array = node as? [Any], !array.isEmpty else { return extremes[rng.int(below: extremes.count)] }
      return rng.int(below: 2) == 0 ? Array(array.dropLast(1 + rng.int(below: array.count))) : array + array.prefix(1 + rng.int(below: array.count))
    case 2:
      guard let text = node as? String, let data = Data(base64Encoded: text) else { return CheckpointFixture.bytes(rng.int(below: 40)) }
      let cut = rng.int(below: data.count + 1)
      let resized = rng.int(below: 2) == 0 ? data.prefix(cut) : data + Data(repeating: UInt8(rng.int(below: 256)), count: cut + 1)
      return resized.base64EncodedString()
    case 3:
      guard let text = node as? String, var data = Data(base64Encoded: text), !data.isEmpty else { return "not base64 ✗" }
      for _ in 0..<4 { data[rng.int(below: data.count)] = UInt8(rng.int(below: 256)) }
      return data.base64EncodedString()
    case 4: return [[String: Any](), [Any](), "text", true, NSNull()][rng.int(below: 5)]
    default: return extremes[rng.int(below: extremes.count)]
    }
  }

  @Test func tenThousandMutationsNeverTrap() throws {
    let fixture = try Self.checkpoint()
    var all: [[PathStep]] = []
    Self.paths(fixture.tree, into: &all)
    all.removeAll { $0.isEmpty }
    var rng = RandomStream(seed: 11)
    var loaded = 0, stepped = 0, refused = 0
    for _ in 0..<10_000 {
      var tree: Any = fixture.tree
      for _ in 0..<(1 + rng.int(below: 3)) {
        let path = all[rng.int(below: all.count)]
        tree = Self.edit(tree, at: path[...], { Self.mutate($0, &rng) }) ?? [String: Any]()
      }
      let data = try JSONSerialization.data(withJSONObject: tree)
      guard let experiment = try? Experiment.load(data: data, path: "fuzz.json") else {
        refused += 1
        continue
      }
      loaded += 1
      if (try? experiment.step()) != nil { stepped += 1 }
    }
    #expect(refused > 0 && loaded > 0 && stepped > 0, "refused \(refused), loaded \(loaded), stepped \(stepped)")
  }
}
