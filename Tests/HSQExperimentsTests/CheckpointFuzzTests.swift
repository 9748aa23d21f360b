import Foundation
import HSQ
import HSQCore
@testable import HSQExperiments
import Testing

/// Seeded mutations of real checkpoints, JSON and safetensors: every one loads with a clear error or steps without trapping.
@Suite struct CheckpointFuzzTests {
  /// A tiny experiment with everything a checkpoint can hold: momentum, error feedback, a downlink and its memory.
  static func checkpoint() throws -> CheckpointFixture { try CheckpointFixture(experiment()) }

  static func experiment() throws -> Experiment {
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
    return e
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

  /// A safetensors checkpoint taken apart: the header's object and the data after it.
  struct Binary {
    var header: [String: Any]
    var data: [UInt8]

    /// `nil` unless the length is in range and the header is a JSON object.
    init?(_ bytes: [UInt8]) {
      guard bytes.count >= 8 else { return nil }
      let length = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      guard length <= UInt64(bytes.count - 8),
            let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + Int(length))])) as? [String: Any] else { return nil }
      self.header = header
      data = Array(bytes[(8 + Int(length))...])
    }

    /// The file again, with the header's length recomputed.
    var bytes: [UInt8] {
      let json = [UInt8](try! JSONSerialization.data(withJSONObject: header))
      return withUnsafeBytes(of: UInt64(json.count).littleEndian) { [UInt8]($0) } + json + data
    }
  }

  /// One random change to a safetensors checkpoint: its bytes, its length field, its header, its state, its floats.
  static func mutate(_ file: [UInt8], _ rng: inout RandomStream, paths: [[PathStep]], statePaths: [[PathStep]]) -> [UInt8] {
    var bytes = file
    let kind = rng.int(below: 7)
    guard kind < 4 || Binary(bytes) != nil, bytes.count >= 8 else {
      if !bytes.isEmpty { bytes[rng.int(below: bytes.count)] = UInt8(rng.int(below: 256)) }
      return bytes
    }
    switch kind {
    case 0:
      for _ in 0..<(1 + rng.int(below: 8)) { bytes[rng.int(below: bytes.count)] = UInt8(rng.int(below: 256)) }
    case 1:
      bytes = Array(bytes.prefix(rng.int(below: bytes.count)))
    case 2:
      bytes += (0...rng.int(below: 64)).map { _ in UInt8(rng.int(below: 256)) }
    case 3:
      let length = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      let lengths: [UInt64] = [0, 1, 7, length &- 1, length &+ 1, UInt64(bytes.count), 100_000_001, UInt64(Int.max), UInt64.max]
      withUnsafeBytes(of: lengths[rng.int(below: lengths.count)].littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
    case 4:
      var binary = Binary(bytes)!
      let path = paths[rng.int(below: paths.count)]
      binary.header = edit(binary.header, at: path[...], { mutate($0, &rng) }) as? [String: Any] ?? [:]
      bytes = binary.bytes
    case 5:
      var binary = Binary(bytes)!
      guard var metadata = binary.header["__metadata__"] as? [String: String], let text = metadata["checkpoint"],
            var state = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return binary.bytes }
      for _ in 0..<(1 + rng.int(below: 3)) {
        state = edit(state, at: statePaths[rng.int(below: statePaths.count)][...], { mutate($0, &rng) }) ?? [String: Any]()
      }
      metadata["checkpoint"] = String(decoding: try! JSONSerialization.data(withJSONObject: state), as: UTF8.self)
      binary.header["__metadata__"] = metadata
      bytes = binary.bytes
    default:
      var binary = Binary(bytes)!
      let floats: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -0.0, 1e-45, 1e30]
      for _ in 0..<(1 + rng.int(below: 4)) where binary.data.count >= 4 {
        let at = 4 * rng.int(below: binary.data.count / 4)
        withUnsafeBytes(of: floats[rng.int(below: floats.count)].bitPattern.littleEndian) { binary.data.replaceSubrange(at..<(at + 4), with: $0) }
      }
      bytes = binary.bytes
    }
    return bytes
  }

  @Test func safeTensorsMutationsNeverTrapAndAreRefusedInOneLine() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-fuzz-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.experiment().save(to: path)
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let binary = try #require(Binary(original))
    var paths: [[PathStep]] = [], statePaths: [[PathStep]] = []
    Self.paths(binary.header, into: &paths)
    paths.removeAll { $0.isEmpty }
    let metadata = binary.header["__metadata__"] as! [String: String]
    Self.paths(try JSONSerialization.jsonObject(with: Data(metadata["checkpoint"]!.utf8)), into: &statePaths)
    statePaths.removeAll { $0.isEmpty }
    var rng = RandomStream(seed: 12)
    var loaded = 0, stepped = 0, refused = 0
    for _ in 0..<3_000 {
      var bytes = original
      for _ in 0..<(1 + rng.int(below: 2)) { bytes = Self.mutate(bytes, &rng, paths: paths, statePaths: statePaths) }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      do {
        let experiment = try Experiment.load(from: path)
        loaded += 1
        if (try? experiment.step()) != nil { stepped += 1 }
      } catch {
        refused += 1
        #expect(error is HSQError && !"\(error)".contains("\n"), "one line: \(error)")
      }
    }
    #expect(refused > 0 && loaded > 0 && stepped > 0, "refused \(refused), loaded \(loaded), stepped \(stepped)")
  }
}
