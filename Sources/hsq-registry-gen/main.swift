import Foundation

// hsq-registry-gen --output FILE SOURCE...
// Writes the built-in component lists of one module (see RegistryFile). Run by the
// RegisterBuiltins plugin on every build; the output changes only when the sources do.

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, arguments[0] == "--output" else {
  FileHandle.standardError.write(Data("usage: hsq-registry-gen --output FILE SOURCE...\n".utf8))
  exit(2)
}
let output = URL(fileURLWithPath: arguments[1])
var files: [(path: String, source: String)] = []
for path in arguments.dropFirst(2) {
  guard let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("hsq-registry-gen: cannot read '\(path)'.\n".utf8))
    exit(1)
  }
  files.append((path, String(decoding: data, as: UTF8.self)))
}
let text = RegistryFile.render(files)
// Rewrite only on change, so an unchanged registry does not recompile the module.
if FileManager.default.contents(atPath: output.path) != Data(text.utf8) {
  do {
    try Data(text.utf8).write(to: output, options: .atomic)
  } catch {
    FileHandle.standardError.write(Data("hsq-registry-gen: cannot write '\(output.path)': \(error)\n".utf8))
    exit(1)
  }
}
