import Foundation
import PackagePlugin

/// Generates a module's built-in lists (`builtinCompressorTypes`, …, `builtinCommandSets`) from its
/// source files, so adding a built-in compressor, codebook, model, dataset, partition or set of
/// commands is one file and nothing else: the type's conformance is its registration.
@main
struct RegisterBuiltins: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
    guard let target = target as? SourceModuleTarget else { return [] }
    let sources = target.sourceFiles(withSuffix: "swift").map(\.url)
    let output = context.pluginWorkDirectoryURL.appending(path: "Builtins.generated.swift")
    return [
      .buildCommand(
        displayName: "Listing the built-in components of \(target.name)",
        executable: try context.tool(named: "hsq-registry-gen").url,
        arguments: ["--output", output.path] + sources.map(\.path),
        inputFiles: sources,
        outputFiles: [output])
    ]
  }
}
