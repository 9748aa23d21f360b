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

  @Option(
    name: .customLong("cpu"),
    help: """
      native: every kernel this CPU has; avx2: the paths of a CPU without AVX-512 (most laptops) on both \
      sides: hsq's C kernels capped at AVX2 (HSQ_CPU=avx2), OpenBLAS's Haswell kernels for hsq and the \
      peer (overrides --blas-kernels), NumPy's own loops without AVX-512 (NPY_DISABLE_CPU_FEATURES), \
      PyTorch's at AVX2 (ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS, ONEDNN_MAX_CPU_ISA).
      """)
  var cpu: CPUPaths = .native

  /// Applies the choice to this process, before any BLAS call or C kernel.
  func apply() {
    switch cpu {
    case .avx2:
      setenv("HSQ_CPU", "avx2", 1)
      BLAS.useKernels("Haswell")
    case .native:
      if kernels == .auto { BLAS.detectKernels() }
    }
  }

  /// The environment changes a peer runs with under these options.
  var peerEnvironment: [String: String?] {
    switch cpu {
    case .avx2:
      return [
        "HSQ_CPU": "avx2", "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": nil,
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2",
      ]
    case .native:
      return kernels == .auto ? ["OPENBLAS_CORETYPE": nil, "OPENBLAS_L2_SIZE": nil] : [:]
    }
  }
}

/// Which CPU's paths a benchmark measures.
enum CPUPaths: String, ExpressibleByArgument, CaseIterable {
  case native
  case avx2
}

enum BLASKernels: String, ExpressibleByArgument, CaseIterable {
  case auto
  case environment
}

/// Runs a peer script (NumPy or PyTorch) with the given arguments and returns its JSON lines.
///
/// With `.auto` kernels, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed
/// from the peer's environment, as from ours: this machine pins OpenBLAS to
/// its AVX2 "Haswell" kernels, and both NumPy's and hsq's OpenBLAS choose
/// faster AVX-512 kernels by themselves. With `--cpu avx2` both sides run
/// the paths of a CPU without AVX-512 (``BLASKernelOptions/peerEnvironment``).
enum Peer {
  static func run(script: String, arguments: [String], options: BLASKernelOptions) throws -> [[String: Any]] {
    var environment = ProcessInfo.processInfo.environment
    for (key, value) in options.peerEnvironment { environment[key] = value }
    let run = try ChildProcess.run(path: "/usr/bin/env", ["python3", script] + arguments, environment: environment)
    guard run.status == 0 else {
      throw BenchError("the peer '\(script)' \(run.termination): \(run.errors.suffix(2000))")
    }
    return run.output.split(separator: "\n").compactMap { line in
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
