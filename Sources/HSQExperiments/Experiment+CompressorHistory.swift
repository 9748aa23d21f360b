import Foundation

/// One uplink compressor of an experiment's history and the steps it compressed.
public struct CompressorSpan: Sendable, Hashable {
  /// The compressor as the config spelled it (`hsq`, `qsgd:levels=4`, …).
  public var spec: String
  /// The step count when it took over: it compressed steps `fromStep + 1` onwards (0: from the start).
  public var fromStep: Int
}

extension Experiment {
  /// The uplink compressors in the order the steps used them, from the event log of `set compressor`.
  ///
  /// Changes made before any step collapse into the first span; a change after the last step still
  /// appears (the next step uses it). One span means the compressor never changed during the run.
  public var compressorHistory: [CompressorSpan] {
    var spans: [CompressorSpan] = []
    for event in events {
      guard let change = Self.compressorChange(event.text) else { continue }
      if spans.isEmpty { spans.append(CompressorSpan(spec: change.old, fromStep: 0)) }
      if spans[spans.count - 1].fromStep == event.step { spans[spans.count - 1].spec = change.new }
      else { spans.append(CompressorSpan(spec: change.new, fromStep: event.step)) }
    }
    return spans.isEmpty ? [CompressorSpan(spec: config.compressor, fromStep: 0)] : spans
  }

  /// `compressor: OLD → NEW` as ``set(_:to:)`` logs it; `nil` for other events (a rebind changes no compressor).
  static func compressorChange(_ text: String) -> (old: String, new: String)? {
    let prefix = "compressor: "
    guard text.hasPrefix(prefix) else { return nil }
    let parts = text.dropFirst(prefix.count).components(separatedBy: " → ")
    guard parts.count == 2 else { return nil }
    return (parts[0], parts[1])
  }
}
