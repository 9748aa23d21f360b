import Foundation
import PackagePlugin

/// `swift package hsq-new-compressor MyQuant [--output DIR] …`: runs the `hsq-new-compressor`
/// tool in the package directory (all the work, and its help, is in the tool).
@main
struct HSQNewCompressor: CommandPlugin {
  func performCommand(context: PluginContext, arguments: [String]) async throws {
    let process = Process()
    process.executableURL = try context.tool(named: "hsq-new-compressor").url
    process.currentDirectoryURL = context.package.directoryURL
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    if process.terminationReason != .exit || process.terminationStatus != 0 {
      Diagnostics.error("hsq-new-compressor failed (exit status \(process.terminationStatus)); see its message above.")
    }
  }
}
