import Foundation
import HSQCore

/// The error-feedback scale s in p = g + s·e: a constant in [0, 1], or the authors' warm-up.
///
/// Typed and stored as text: `warmup`, or the number (`1`, `0.5`), the spelling
/// `set ef-scale …` takes and checkpoints store. ``init(parsing:)`` is the one parser.
public enum ErrorFeedbackScale: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The same s every round.
  case constant(Double)
  /// s = 2/(1 + e^(−epoch)) − 1: 0 at the start, approaching 1.
  case warmup

  /// Parses `warmup` or a number in [0, 1].
  ///
  /// - Throws: ``HSQError/invalidParameter(component:parameter:problem:)`` for anything else.
  public init(parsing text: String) throws {
    guard let scale = Self(reading: text), scale.isInRange else {
      throw HSQError.invalidParameter(component: "experiment", parameter: "ef-scale", problem: "'\(clipped(text))' is neither a number in [0, 1] nor warmup.")
    }
    self = scale
  }

  /// `warmup` or any number, in or out of range.
  private init?(reading text: String) {
    if text == "warmup" {
      self = .warmup
    } else if let value = Double(text) {
      self = .constant(value)
    } else {
      return nil
    }
  }

  /// Whether a constant lies in [0, 1].
  private var isInRange: Bool {
    guard case let .constant(s) = self else { return true }
    return (0...1).contains(s)
  }

  /// The scale at the start of a round at `epoch`.
  public func value(atEpoch epoch: Double) -> Float {
    switch self {
    case let .constant(s): return Float(s)
    case .warmup: return Float(2 / (1 + exp(-epoch)) - 1)
    }
  }

  /// `warmup`, or the number exactly (whole numbers without a fraction): what ``init(parsing:)`` reads back.
  public var description: String {
    switch self {
    case .warmup: return "warmup"
    case let .constant(s): return s == s.rounded() && abs(s) < 1e15 ? String(Int64(s)) : "\(s)"
    }
  }

  /// Reads the text a checkpoint stores; a number out of range is kept for the config check to name.
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let scale = Self(reading: text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(clipped(text))' is neither a number in [0, 1] nor warmup"))
    }
    self = scale
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
