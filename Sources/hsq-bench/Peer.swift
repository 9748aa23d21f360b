import ArgumentParser
import Foundation
import HSQ

/// Which OpenBLAS kernels both sides of a side-by-side run use.
struct BLASKernelOptions: ParsableArguments {
  @Option(
    name: .customLong("blas-kernels"),
    help: """
      auto: OpenBLAS picks its kernels from the CPU, for the peer and for hsq (OPENBLAS_CORETYPE and \
      OPENBLAS_L2_SIZE are dropped on both sides); environment: both keep the environment's settings.
      """)
  var kernels: BLASKernels = .auto

  /// Applies the choice to this process, before any BLAS call.
  func apply() {
    if kernels == .auto { BLAS.detectKernels() }
  }
}

enum BLASKernels: String, ExpressibleByArgument, CaseIterable {
  case auto
  case environment
}

/// Runs the NumPy peer script with the given arguments and returns its JSON lines.
///
/// With `.auto` kernels, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed
/// from the peer's environment, as from ours: this machine pins OpenBLAS to
/// its AVX2 "Haswell" kernels, and both NumPy's and hsq's OpenBLAS choose
/// faster AVX-512 kernels by themselves.
enum Peer {
  static func run(script: String, arguments: [String], kernels: BLASKernels) throws -> [[String: Any]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    var environment = ProcessInfo.processInfo.environment
    if kernels == .auto {
      environment["OPENBLAS_CORETYPE"] = nil
      environment["OPENBLAS_L2_SIZE"] = nil
    }
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
