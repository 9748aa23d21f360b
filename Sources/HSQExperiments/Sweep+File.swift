import Foundation
import HSQCore

/// A sweep as written to disk: its plan and every finished run's records (JSON).
struct SweepFile: Codable {
  static let kindName = "hsq-sweep"
  static let currentVersion = 1
  var kind: String
  var version: Int
  var name: String
  var plan: SweepPlan
  var runs: [SweepRun]
  var interrupted: Bool
}

extension Sweep {
  /// Writes the plan and the finished runs' records to `path` (JSON, atomically).
  public func save(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let file = SweepFile(kind: SweepFile.kindName, version: SweepFile.currentVersion, name: name, plan: plan, runs: runs, interrupted: interrupted)
    try AtomicFile.write(try encoder.encode(file), to: path)
  }

  /// Whether the file at `path` is a sweep file (not an experiment checkpoint).
  ///
  /// Only a JSON file is read in full: a safetensors checkpoint is told apart by its first bytes.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` unless `path` is a readable regular file.
  public static func isSweepFile(_ path: String) throws -> Bool {
    guard try Checkpoint.isJSON(path),
          let object = try? JSONSerialization.jsonObject(with: Data(FileBytes.read(path))) as? [String: Any] else { return false }
    return object["kind"] as? String == SweepFile.kindName
  }

  /// Reads a file written by ``save(to:)``, renamed `name` when given.
  public static func load(from path: String, as name: String? = nil) throws -> Sweep {
    let data = Data(try FileBytes.read(path))
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let file: SweepFile
    do { file = try decoder.decode(SweepFile.self, from: data) } catch {
      throw HSQError.fileFormat(path: path, position: nil, problem: "not a sweep written by 'save' (\(error)).")
    }
    guard file.version == SweepFile.currentVersion else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "sweep file version \(file.version) is not \(SweepFile.currentVersion).")
    }
    return Sweep(name: name ?? file.name, plan: file.plan, runs: file.runs, interrupted: file.interrupted)
  }
}
