import Foundation

/// Runs the NumPy peer script with the given arguments and returns its JSON lines.
///
/// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed for the peer alone: they
/// slow a current NumPy (the machine sets them for older OpenBLAS builds).
enum Peer {
  static func run(script: String, arguments: [String]) throws -> [[String: Any]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_CORETYPE"] = nil
    environment["OPENBLAS_L2_SIZE"] = nil
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw BenchError("the peer '\(script)' exited with status \(process.terminationStatus).")
    }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
  }
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Prints one JSON object on one line with keys in the given order.
func printJSONLine(_ pairs: KeyValuePairs<String, Any>) {
  let body = pairs.map { key, value -> String in
    let rendered: String
    switch value {
    case let s as String: rendered = "\"\(s)\""
    case let b as Bool: rendered = b ? "true" : "false"
    case let d as Double: rendered = d.isFinite ? "\(d)" : "null"
    default: rendered = "\(value)"
    }
    return "\"\(key)\": \(rendered)"
  }
  print("{" + body.joined(separator: ", ") + "}")
}
