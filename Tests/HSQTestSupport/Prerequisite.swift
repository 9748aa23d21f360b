import Foundation
import Testing

/// A prerequisite a test needs from the machine (a tool, a dataset, a CPU feature) that is missing.
public struct MissingPrerequisite: Error, CustomStringConvertible {
  public let description: String
}

/// Whether this is a CI run: the `CI` environment variable is set (to anything but "", "0" or "false").
///
/// Under CI every prerequisite must be present (`.ci/install` installs them all): a test that
/// would be skipped for a missing one fails instead, so `swift test` cannot exit 0 having checked less.
public var isContinuousIntegration: Bool {
  guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
  return !["", "0", "false"].contains(value.lowercased())
}

extension Trait where Self == ConditionTrait {
  /// Runs the test when `isMet` holds; otherwise skips it, or under CI fails it naming `what`.
  ///
  /// ```swift
  /// @Test(.requires("tmux (apt-get install tmux)", Tool.path("tmux") != nil))
  /// ```
  ///
  /// - Parameters:
  ///   - what: the prerequisite and how to install it, for the skip comment and the failure.
  ///   - isMet: whether it is there (evaluated when the test is about to run).
  public static func requires(_ what: String, _ isMet: @autoclosure @escaping @Sendable () -> Bool,
                              sourceLocation: SourceLocation = #_sourceLocation) -> Self {
    .enabled(Comment(rawValue: "needs \(what)"), sourceLocation: sourceLocation) {
      if isMet() { return true }
      if isContinuousIntegration {
        throw MissingPrerequisite(description: "CI is set, and this test needs \(what), which is missing: install it (.ci/install).")
      }
      return false
    }
  }
}

/// The first executable named `name` on `PATH`, or `nil`.
public func executableOnPath(_ name: String) -> String? {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
