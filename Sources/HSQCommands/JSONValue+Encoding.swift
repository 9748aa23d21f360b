import Foundation

extension JSONValue {
  /// `value` through its `Encodable` conformance, keys in the order it encodes them: the same
  /// names a file written with `JSONEncoder` holds, so `--json` and the files agree. Non-finite numbers become null.
  public init(encoding value: some Encodable, userInfo: [CodingUserInfoKey: Any] = [:]) throws {
    let root = JSONValueNode()
    try value.encode(to: JSONValueEncoder(node: root, codingPath: [], userInfo: userInfo))
    self = root.value
  }
}

/// A value being built: empty until a container or a single value is written.
private final class JSONValueNode {
  enum Content {
    case empty
    case leaf(JSONValue)
    case object([(String, JSONValueNode)])
    case array([JSONValueNode])
  }

  var content = Content.empty

  var value: JSONValue {
    switch content {
    case .empty: return .object([])
    case let .leaf(v): return v
    case let .object(pairs): return .object(pairs.map { ($0.0, $0.1.value) })
    case let .array(items): return .array(items.map(\.value))
    }
  }

  /// A new child under `key` (replacing one written before under the same key).
  func child(_ key: String) -> JSONValueNode {
    let node = JSONValueNode()
    var pairs: [(String, JSONValueNode)] = []
    if case let .object(existing) = content { pairs = existing.filter { $0.0 != key } }
    pairs.append((key, node))
    content = .object(pairs)
    return node
  }

  func appended() -> JSONValueNode {
    let node = JSONValueNode()
    var items: [JSONValueNode] = []
    if case let .array(existing) = content { items = existing }
    items.append(node)
    content = .array(items)
    return node
  }

  /// Writes `value`: numbers, booleans and text as leaves, anything else through its own encoding.
  func write<T: Encodable>(_ value: T, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) throws {
    switch value {
    case let v as Bool: content = .leaf(.bool(v))
    case let v as String: content = .leaf(.string(v))
    case let v as Double: content = .leaf(.number(Optional(v)))
    case let v as Float: content = .leaf(.number(Optional(Double(v))))
    case let v as any BinaryInteger: content = .leaf(.number(Double(v)))
    default: try value.encode(to: JSONValueEncoder(node: self, codingPath: codingPath, userInfo: userInfo))
    }
  }
}

private struct JSONValueEncoder: Encoder {
  let node: JSONValueNode
  let codingPath: [any CodingKey]
  let userInfo: [CodingUserInfoKey: Any]

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = node.content {} else { node.content = .object([]) }
    return KeyedEncodingContainer(Keyed(node: node, codingPath: codingPath, userInfo: userInfo))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array = node.content {} else { node.content = .array([]) }
    return Unkeyed(node: node, codingPath: codingPath, userInfo: userInfo)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath, userInfo: userInfo) }

  struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONValueNode
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue).content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
      try node.child(key.stringValue).write(value, codingPath: codingPath + [key], userInfo: userInfo)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
      JSONValueEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key], userInfo: userInfo).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
      JSONValueEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key], userInfo: userInfo).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { JSONValueEncoder(node: node.child("super"), codingPath: codingPath, userInfo: userInfo) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
      JSONValueEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key], userInfo: userInfo)
    }
  }

  struct Unkeyed: UnkeyedEncodingContainer {
    let node: JSONValueNode
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    var count: Int {
      if case let .array(items) = node.content { return items.count }
      return 0
    }

    mutating func encodeNil() throws { node.appended().content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
      try node.appended().write(value, codingPath: codingPath, userInfo: userInfo)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
      JSONValueEncoder(node: node.appended(), codingPath: codingPath, userInfo: userInfo).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
      JSONValueEncoder(node: node.appended(), codingPath: codingPath, userInfo: userInfo).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { JSONValueEncoder(node: node.appended(), codingPath: codingPath, userInfo: userInfo) }
  }

  struct Single: SingleValueEncodingContainer {
    let node: JSONValueNode
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    mutating func encodeNil() throws { node.content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try node.write(value, codingPath: codingPath, userInfo: userInfo) }
  }
}
