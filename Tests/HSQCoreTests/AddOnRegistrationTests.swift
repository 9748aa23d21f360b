import HSQCore
import Testing

/// How registries treat names registered while an add-on loads (the owner is the add-on's file).
@Suite("Registry names owned by add-on files")
struct AddOnRegistrationTests {
  static func info(_ name: String, _ summary: String = "A test component.") -> ComponentInfo {
    ComponentInfo(kind: .model, name: name, summary: summary)
  }

  @Test("a file replaces its own names; built-ins and other files' names are refused")
  func ownership() throws {
    let table = ComponentTable<Int>(kind: .model)
    try table.register(Self.info("builtin")) { _ in 0 }
    let first = try AddOnRegistration.load(owner: "/p/A.swift") {
      AddOnRegistration.run { try table.register(Self.info("a")) { _ in 1 } }
    }
    #expect(first.map(\.name) == ["a"])
    #expect(table.owner(of: "a") == "/p/A.swift" && table.owner(of: "builtin") == nil)

    // Reload: the same file replaces its component in place.
    _ = try AddOnRegistration.load(owner: "/p/A.swift") {
      AddOnRegistration.run { try table.register(Self.info("a", "Edited.")) { _ in 2 } }
    }
    #expect(try table.make("a") == 2 && table.info("a").summary == "Edited." && table.names == ["builtin", "a"])

    for (owner, name) in [("/p/B.swift", "a"), ("/p/B.swift", "builtin"), ("/p/A.swift", "builtin")] {
      #expect(throws: AddOnRegistration.RegistrationFailure.self, "\(owner) took '\(name)'") {
        try AddOnRegistration.load(owner: owner) {
          AddOnRegistration.run { try table.register(Self.info(name)) { _ in 3 } }
        }
      }
    }
    #expect(try table.make("a") == 2 && table.make("builtin") == 0)
    // Outside a load, a taken name is refused as before.
    #expect(throws: HSQError.duplicateName(kind: "model", name: "a")) { try table.register(Self.info("a")) { _ in 4 } }
  }
}
