import Foundation
import Synchronization

/// Registration of components (and commands) from an add-on: code that `load` compiled and opened at run time.
///
/// An add-on's entry point runs its registrations through ``run(_:)``:
///
/// ```swift
/// @_cdecl("hsq_register")
/// public func hsqRegister() {
///   AddOnRegistration.run { try Compressors.register(MyQuant.self) }
/// }
/// ```
///
/// The loader sets ``owner`` to the add-on's file while the entry point runs, so the
/// registries know which file a name came from: the same file may replace its own names
/// (`reload`), no file may take a built-in's or another file's.
public enum AddOnRegistration {
  /// The add-on file being loaded, while its entry point runs; `nil` otherwise.
  @TaskLocal public static var owner: String?

  private static let state = Mutex(Outcome())

  /// Runs an add-on's registrations; an error they throw is kept for the loader instead of escaping into C.
  public static func run(_ body: () throws -> Void) {
    do {
      try body()
    } catch {
      state.withLock { $0.failure = error }
    }
  }

  /// Runs `entryPoint` as the add-on `owner`; returns the components it registered, or throws what it threw.
  public static func load(owner: String, _ entryPoint: () -> Void) throws -> [(kind: ComponentKind, name: String)] {
    state.withLock { $0 = .init() }
    $owner.withValue(owner) { entryPoint() }
    let outcome = state.withLock { s in defer { s = .init() }; return s }
    if let failure = outcome.failure { throw RegistrationFailure(error: failure, registered: outcome.registered) }
    return outcome.registered
  }

  /// Records that the add-on being loaded registered `name`; registries call it when ``owner`` is set,
  /// so a failed load can take back what it added.
  public static func noteRegistered(kind: ComponentKind, name: String) {
    state.withLock { $0.registered.append((kind, name)) }
  }

  /// What an add-on's entry point threw, and what it had registered before that.
  public struct RegistrationFailure: Error, CustomStringConvertible {
    public let error: any Error
    public let registered: [(kind: ComponentKind, name: String)]
    public var description: String { "\(error)" }
  }

  /// What the entry point being run has registered, and what it threw.
  private struct Outcome: Sendable {
    var failure: (any Error)?
    var registered: [(kind: ComponentKind, name: String)] = []
  }
}
