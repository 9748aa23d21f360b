import ArgumentParser
import Foundation
import HSQ

/// Time of the dense Double linear algebra (eigen-decomposition, SVD, pseudo-inverse, QR) at several sizes.
struct LinearAlgebraBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "linalg",
    abstract: "Time of the dense Double linear algebra (eigen-decomposition, SVD, pseudo-inverse, QR) at several sizes.",
    discussion: "Prints one JSON line per operation and size with the minimum and median of the repetitions.")

  @Option(parsing: .upToNextOption, help: "Matrix orders D (D×D Gaussian matrices; symmetrized for the eigen-decomposition).")
  var sizes: [Int] = [16, 64, 256, 1024]
  @Option(help: "Repetitions per operation and size (one above 256); the minimum and median are reported.") var reps: Int = 5

  func run() throws {
    for d in sizes {
      var rng = RandomStream.derived(from: 0, purpose: "bench-linalg", d)
      let a = Matrix(rows: d, columns: d, storage: (0..<(d * d)).map { _ in rng.gaussian() })
      let symmetric = a + a.transposed
      let operations: [(String, () -> Double)] = [
        ("symmetricEigen", { symmetric.symmetricEigen().values[0] }),
        ("symmetricEigenvalues", { symmetric.symmetricEigenvalues()[0] }),
        ("singularValueDecomposition", { a.singularValueDecomposition().singularValues[0] }),
        ("singularValues", { a.singularValues[0] }),
        ("pseudoInverse", { a.pseudoInverse()[0, 0] }),
        ("householderQR", { a.householderQR().r[0, 0] }),
      ]
      for (name, operation) in operations {
        var times: [Double] = []
        var sink = 0.0
        for _ in 0..<(d > 256 ? 1 : max(1, reps)) {
          let start = DispatchTime.now().uptimeNanoseconds
          sink += operation()
          times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        printJSONLine(["operation": name, "d": d, "min_s": times[0], "median_s": times[times.count / 2], "check": sink])
      }
    }
  }
}
