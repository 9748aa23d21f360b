import Foundation

/// The most memory one command may plan to allocate; every size a user controls is checked against it first.
///
/// Datasets (IDX header dimensions, LIBSVM indices × rows, CSV cells, gzip
/// output), models (parameters) and experiments (workers × parameter copies,
/// batch × layer widths) estimate what they are about to allocate with
/// ``MemoryEstimate`` and call ``check(_:for:detail:fix:)`` before they do,
/// so an impossible request fails at once with one line — the estimate, the
/// limit and the fix — instead of exhausting the machine.
///
/// The limit in force is ``current``, a task-local value: a session binds its
/// own (`memory 2GB` in the REPL) around each command, and a test binds a small
/// one around its code without touching any process-wide state.
///
/// **Default:** half of the memory this process can have — the machine's
/// physical memory, or the container's cgroup limit when that is lower. Half,
/// because estimates count only the big arrays (not the allocator's slack,
/// the page cache, the Swift runtime or a second copy made in passing), so an
/// estimate that is low by up to 2× still fits, and the rest of the machine
/// (the OS, an editor, a build) keeps running.
///
/// **Environment:** `HSQ_MEMORY_LIMIT` overrides the default for the process,
/// e.g. `HSQ_MEMORY_LIMIT=2GB` (units B, KB, MB, GB, TB, binary: 1 GB = 2³⁰
/// bytes; a plain number is bytes).
public struct MemoryBudget: Sendable, Hashable, CustomStringConvertible {
  /// The limit in bytes.
  public let bytes: Int
  /// Where the limit comes from, for `memory` in the REPL: `default (half of 23 GB)`, `HSQ_MEMORY_LIMIT`, `set in this session`.
  public let origin: String

  public init(bytes: Int, origin: String = "set in this session") {
    self.bytes = max(0, bytes)
    self.origin = origin
  }

  /// The limit in force for the current task (or thread): a session's or a test's, else ``processDefault``.
  @TaskLocal public static var current: MemoryBudget = processDefault

  /// `HSQ_MEMORY_LIMIT` when it is set and valid, else ``machineDefault``.
  public static let processDefault: MemoryBudget = {
    guard let text = ProcessInfo.processInfo.environment[environmentVariable],
          let bytes = try? parseSize(text, what: environmentVariable) else { return machineDefault }
    return MemoryBudget(bytes: bytes, origin: environmentVariable)
  }()

  /// Half of ``availableMemory`` (see the type's discussion for why half).
  public static let machineDefault = MemoryBudget(
    bytes: availableMemory / 2, origin: "default: half of \(MemoryEstimate.format(availableMemory))")

  /// The environment variable that overrides the default.
  public static let environmentVariable = "HSQ_MEMORY_LIMIT"

  /// A problem with `HSQ_MEMORY_LIMIT` (set but not a size), for the REPL to report; `nil` when fine.
  public static var environmentProblem: String? {
    guard let text = ProcessInfo.processInfo.environment[environmentVariable] else { return nil }
    do { _ = try parseSize(text, what: environmentVariable); return nil } catch { return "\(error)" }
  }

  /// The physical memory, or the cgroup (v2 or v1) memory limit when lower.
  public static let availableMemory: Int = {
    var memory = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
      if let text = try? String(contentsOfFile: file, encoding: .utf8),
         let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
        memory = min(memory, limit)
      }
    }
    return memory
  }()

  /// Throws unless `estimate` fits in the limit.
  ///
  /// - Parameters:
  ///   - what: the subject of the message, e.g. `The experiment` or `'train.idx.gz'`.
  ///   - detail: how the estimate is made, e.g. `workers × (parameters + memories) + batch activations`.
  ///   - fix: what lowers the estimate, e.g. `Lower 'batch' or 'workers'` (the message adds how to raise the limit).
  ///   - atLeast: whether the estimate is a lower bound (work stopped when it passed the limit).
  /// - Throws: ``HSQError/overMemoryBudget(what:needs:limit:fix:)``.
  public func check(_ estimate: MemoryEstimate, for what: String, detail: String, fix: String, atLeast: Bool = false) throws {
    if let need = estimate.bytes, need <= bytes { return }
    let amount = estimate.bytes == nil ? estimate.description : (atLeast ? "more than " : "about ") + estimate.description
    throw HSQError.overMemoryBudget(what: what, needs: "\(amount) (\(detail))", limit: limitDescription, fix: fix)
  }

  /// The limit as people read it, e.g. `12 GB`.
  public var limitDescription: String { MemoryEstimate.format(bytes) }

  public var description: String { "\(limitDescription) (\(origin))" }

  /// Parses a size such as `2GB`, `512 MB`, `1.5G`, `4096` (bytes); units are binary (1 GB = 2³⁰ bytes).
  ///
  /// - Parameter what: where the text comes from, prefixed to the message (e.g. `HSQ_MEMORY_LIMIT`), or `nil`.
  /// - Throws: ``HSQError/invalidArgument(_:)`` for anything else, or a size below 1 MB.
  public static func parseSize(_ text: String, what: String? = nil) throws -> Int {
    let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
    let units: [(String, Double)] = [("TB", 0x1p40), ("GB", 0x1p30), ("MB", 0x1p20), ("KB", 0x1p10), ("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1)]
    var number = trimmed, scale = 1.0
    for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
      number = String(trimmed.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
      scale = factor
      break
    }
    guard let value = Double(number), value.isFinite, value * scale >= 0x1p20, value * scale < 0x1p62 else {
      throw HSQError.invalidArgument((what.map { "\($0): " } ?? "") + "'\(text.prefix(40))' is not a memory size of at least 1 MB; write e.g. 2GB, 512MB or 1.5GB.")
    }
    return Int(value * scale)
  }
}
