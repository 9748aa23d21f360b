extension ComponentTable {
  /// A table of `kind` holding every type of `builtins`, each documented by its doc comment in `docs` (by type name).
  ///
  /// - Parameter make: the constructor of a type's components from validated parameters.
  public static func builtins<T>(
    _ kind: ComponentKind, _ builtins: [T], docs: [String: String], info: (T) -> ComponentInfo,
    make: @escaping @Sendable (T, ParameterValues) throws -> Product
  ) -> ComponentTable where T: Sendable {
    let table = ComponentTable(kind: kind)
    for type in builtins {
      do {
        try table.register(info(type).documented(by: docs["\(type)"])) { try make(type, $0) }
      } catch {
        preconditionFailure("built-in \(kind) \(type) failed to register: \(error)")
      }
    }
    return table
  }

  /// Registers a researcher's component. Inside an add-on load (``AddOnRegistration/owner`` set) each build is
  /// reported to ``AddOnActivity`` as `make`, and its product passed through `wrap` with the add-on's file, so
  /// the product can report its own calls and a trap in them be traced to the file.
  public func register(
    _ info: ComponentInfo, addOn wrap: @escaping @Sendable (Product, String) -> Product,
    make: @escaping @Sendable (ParameterValues) throws -> Product
  ) throws {
    guard let owner = AddOnRegistration.owner else { return try register(info, make: make) }
    try register(info) { values in
      AddOnActivity.willRun(owner, "make")
      return wrap(try make(values), owner)
    }
  }
}
