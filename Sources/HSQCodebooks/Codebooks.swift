import Foundation
import HSQCore
import Synchronization

/// A named codebook construction: declares its parameters and builds a codebook from them.
///
/// Every construction takes `dim` (D), `k` (K) and `seed`; some add their own.
public protocol CodebookConstruction: Component {
  static func make(_ parameters: ParameterValues) throws -> Codebook
}

/// The codebook registry.
public enum Codebooks {
  public static let registry: ComponentTable<Codebook> = {
    let table = ComponentTable<Codebook>(kind: .codebook)
    for type in builtinCodebookTypes {
      do { try table.register(type.info.documented(by: builtinDocComments["\(type)"])) { try type.make($0) } } catch {
        preconditionFailure("built-in codebook \(type) failed to register: \(error)")
      }
    }
    return table
  }()

  /// Builds the codebook spelled `name:dim=…,k=…,seed=…`.
  ///
  /// Constructions are deterministic, so codebooks are kept by their canonical
  /// spelling and built once per process (k-means training is not repeated).
  /// Files are always read afresh.
  public static func make(_ spec: String) throws -> Codebook {
    let request = try ComponentRequest(parsing: spec)
    let key = try registry.values(for: request).canonical
    if request.name != "file", let hit = cache.lookup(key) { return hit }
    let codebook = try registry.make(request)
    if request.name != "file" { cache.store(key, codebook) }
    return codebook
  }

  static let cache = CodebookCache()

  /// The parameters every construction shares.
  public static func commonParameters(dim: Int = 16, k: Int = 256) -> [ParameterSpec] {
    [
      .int("dim", 1...65536, default: dim, doc: "D, the dimension of each codeword."),
      .int("k", 1...65536, default: k, doc: "K, the number of codewords."),
      .int("seed", 0...Int(Int32.max), default: 0, doc: "Seed of the construction; the same seed gives the same codebook."),
    ]
  }
}

/// Codebooks built so far, by canonical spelling.
final class CodebookCache: Sendable {
  private let built = Mutex<[String: Codebook]>([:])

  func lookup(_ key: String) -> Codebook? { built.withLock { $0[key] } }
  func store(_ key: String, _ codebook: Codebook) { built.withLock { $0[key] = codebook } }
}
