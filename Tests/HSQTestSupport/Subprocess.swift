import Foundation
import HSQCore

/// Runs a program to completion, through ``ChildProcess`` like every program hsq and its tests start.
public enum Subprocess {
  /// The exit status (128 + the signal when one ended it) and the combined standard output and error of
  /// `executable` with `arguments`; standard input is empty.
  ///
  /// Past `timeout` seconds the program and everything it started are killed and ``ChildProcess/TimedOut``
  /// is thrown, so a test that hangs fails with the command's name instead of stopping the run.
  public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                         timeout: Double = 900) throws -> (Int32, String) {
    let outcome = try ChildProcess.run(
      path: executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: directory,
      mergeErrors: true, timeout: timeout)
    return (outcome.status, outcome.output)
  }
}
