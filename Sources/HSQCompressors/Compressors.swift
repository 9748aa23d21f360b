import HSQCore

/// The compressor registry: every built-in plus those researchers register.
public enum Compressors {
  /// All registered compressors by name.
  public static let registry: ComponentTable<any Compressor> = {
    let table = ComponentTable<any Compressor>(kind: .compressor)
    for type in builtinCompressorTypes { register(type, in: table) }
    return table
  }()

  /// Builds the compressor spelled `name:key=value,…`.
  public static func make(_ spec: String) throws -> any Compressor {
    try registry.make(spec)
  }

  /// Registers a compressor type; throws when its name is taken.
  ///
  /// Registered by an add-on (while ``AddOnRegistration/owner`` is set), every instance reports its
  /// construction, encode and decode to ``AddOnActivity`` first, so a trap in it can be traced to the file.
  public static func register<C: CompressorComponent>(_ type: C.Type) throws {
    guard let owner = AddOnRegistration.owner else { return try registry.register(C.info) { try C($0) } }
    try registry.register(C.info) { values in
      AddOnActivity.willRun(owner, "make")
      return AddOnCompressor(wrapped: try C(values), owner: owner)
    }
  }

  private static func register(_ type: any CompressorComponent.Type, in table: ComponentTable<any Compressor>) {
    do {
      try table.register(type.info.documented(by: builtinDocComments["\(type)"])) { try type.init($0) }
    } catch {
      preconditionFailure("built-in compressor \(type) failed to register: \(error)")
    }
  }
}
