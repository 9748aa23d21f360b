import CZlib
import Foundation
import HSQCore
import HSQDatasets
import Testing

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-datasets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    path = url.path
  }

  /// Writes `bytes` to `name` in this directory and returns its path.
  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let file = path + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }

  /// Writes `text` (UTF-8) to `name` and returns its path.
  @discardableResult
  func write(_ name: String, text: String) throws -> String {
    try write(name, Array(text.utf8))
  }

  /// Writes `bytes` gzip-compressed (zlib's gzwrite) to `name` and returns its path.
  @discardableResult
  func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
    let file = path + "/" + name
    guard let gz = gzopen(file, "wb9") else { throw HSQError.invalidState("gzopen failed for \(file)") }
    let written = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
    gzclose(gz)
    guard written == Int32(bytes.count) else { throw HSQError.invalidState("gzwrite wrote \(written) of \(bytes.count) bytes") }
    return file
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// An IDX file: magic 00 00 type rank, big-endian dimensions, then the payload as given.
func idxBytes(type: UInt8, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
  var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
  for d in dimensions { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
  return bytes + payload
}

/// Big-endian bytes of Float32 values (IDX type 0x0D).
func bigEndianBytes(_ values: [Float]) -> [UInt8] {
  values.flatMap { v -> [UInt8] in
    let b = v.bitPattern
    return [UInt8(b >> 24), UInt8(b >> 16 & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b & 0xFF)]
  }
}

/// The file-format error `body` throws; records an issue when it throws anything else or nothing.
func fileFormatError(
  _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> (path: String, position: String?, problem: String, message: String)? {
  do {
    try body()
    Issue.record("expected a file-format error, but nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as HSQError {
    if case let .fileFormat(path, position, problem) = error { return (path, position, problem, error.description) }
    Issue.record("expected a file-format error, got: \(error)", sourceLocation: sourceLocation)
  } catch {
    Issue.record("expected an HSQError, got: \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// Eigenvalues of a symmetric d×d matrix (row-major) by cyclic Jacobi rotations, ascending.
func symmetricEigenvalues(_ matrix: [Double], _ d: Int) -> [Double] {
  var a = matrix
  for _ in 0..<100 {
    var off = 0.0
    for i in 0..<d { for j in 0..<d where i != j { off += a[i * d + j] * a[i * d + j] } }
    if off < 1e-26 { break }
    for p in 0..<d {
      for q in (p + 1)..<d where a[p * d + q] != 0 {
        let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0..<d {
          let akp = a[k * d + p], akq = a[k * d + q]
          a[k * d + p] = c * akp - s * akq
          a[k * d + q] = s * akp + c * akq
        }
        for k in 0..<d {
          let apk = a[p * d + k], aqk = a[q * d + k]
          a[p * d + k] = c * apk - s * aqk
          a[q * d + k] = s * apk + c * aqk
        }
      }
    }
  }
  return (0..<d).map { a[$0 * d + $0] }.sorted()
}

/// `XᵀX / n` of a dataset's features, in Double.
func covariance(_ x: Examples) -> [Double] {
  let d = x.featureCount
  var g = [Double](repeating: 0, count: d * d)
  for r in 0..<x.count {
    for i in 0..<d {
      let xi = Double(x.features[r * d + i])
      for j in 0..<d { g[i * d + j] += xi * Double(x.features[r * d + j]) }
    }
  }
  return g.map { $0 / Double(x.count) }
}

/// The bit patterns of a dataset's arrays, for bit-identical comparisons.
func bits(_ d: Dataset) -> [UInt32] {
  d.train.features.map(\.bitPattern) + d.test.features.map(\.bitPattern)
    + d.train.targets.map(\.bitPattern) + d.test.targets.map(\.bitPattern)
    + d.train.labels.map { UInt32(bitPattern: $0) } + d.test.labels.map { UInt32(bitPattern: $0) }
}

/// How many examples of each class, for `classCount` classes.
func histogram(_ labels: [Int32], classCount: Int) -> [Int] {
  var h = [Int](repeating: 0, count: classCount)
  for l in labels { h[Int(l)] += 1 }
  return h
}
