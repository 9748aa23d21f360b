import HSQCore
import HSQDatasets

/// What each worker holds under a partition: its example count and class histogram.
///
/// Regression data is summarized over the equal-count target bins that stand in for labels when it is
/// partitioned (``Partitions/regressionBins``).
public struct PartitionSummary: Sendable, Hashable {
  /// Per worker: examples held.
  public let counts: [Int]
  /// Per worker: examples of each class (or target bin).
  public let histograms: [[Int]]
  /// The number of classes (or bins).
  public let classCount: Int

  /// Counts `shards` over `labels` (`classCount` classes).
  public init(shards: [[Int]], labels: [Int32], classCount: Int) {
    self.classCount = classCount
    counts = shards.map(\.count)
    histograms = shards.map { shard in
      var h = [Int](repeating: 0, count: classCount)
      for i in shard { h[Int(labels[i])] += 1 }
      return h
    }
  }

  /// The classes worker `w` holds at least one example of.
  public func classesHeld(by w: Int) -> Int { histograms[w].filter { $0 > 0 }.count }

  /// The largest share of one class in worker `w`'s data.
  public func dominantShare(of w: Int) -> Double {
    counts[w] > 0 ? Double(histograms[w].max() ?? 0) / Double(counts[w]) : 0
  }

  /// The partition as an SVG: one horizontal bar per worker, its length the example count, split by class.
  public func svg(title: String) -> String {
    let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    let rowHeight = 18.0, left = 70.0, width = 560.0, top = 40.0
    let height = top + Double(counts.count) * rowHeight + 50
    let most = Double(max(1, counts.max() ?? 1))
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + width + 30))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    out += "<text x=\"\(Int(left))\" y=\"20\" font-size=\"13\">\(SVGPlot.escape(title))</text>\n"
    for (w, histogram) in histograms.enumerated() {
      let y = top + Double(w) * rowHeight
      out += "<text x=\"\(Int(left - 6))\" y=\"\(format(y + 12))\" text-anchor=\"end\">worker \(w)</text>\n"
      var x = left
      for (c, n) in histogram.enumerated() where n > 0 {
        let length = width * Double(n) / most
        out += "<rect x=\"\(format(x))\" y=\"\(format(y + 2))\" width=\"\(format(length))\" height=\"\(format(rowHeight - 4))\" fill=\"\(palette[c % palette.count])\"><title>class \(c): \(n)</title></rect>\n"
        x += length
      }
      out += "<text x=\"\(format(x + 4))\" y=\"\(format(y + 12))\">\(counts[w])</text>\n"
    }
    let legendY = top + Double(counts.count) * rowHeight + 20
    for c in 0..<min(classCount, 20) {
      let x = left + Double(c) * 52
      out += "<rect x=\"\(format(x))\" y=\"\(format(legendY))\" width=\"10\" height=\"10\" fill=\"\(palette[c % palette.count])\"/>"
      out += "<text x=\"\(format(x + 14))\" y=\"\(format(legendY + 9))\">class \(c)</text>\n"
    }
    return out + "</svg>\n"
  }

  private func format(_ x: Double) -> String { String(format: "%.1f", x) }
}

extension Experiment {
  /// The partition in force, counted over the training labels (or target bins for regression).
  public var partitionSummary: PartitionSummary {
    let train = dataset.train
    let labels = train.labels.isEmpty ? Partitions.binLabels(train.targets, bins: Partitions.regressionBins) : train.labels
    let classes = train.labels.isEmpty ? Partitions.regressionBins : max(dataset.classCount, Int(labels.max() ?? 0) + 1)
    return PartitionSummary(shards: shards, labels: labels, classCount: classes)
  }

  /// What an epoch means here, in one sentence.
  public var epochMeaning: String {
    let perStep = config.workers == 0 ? 0 : Int((config.participation * Double(config.workers)).rounded(.up)) * config.batch * (config.protocolName == .local ? config.localSteps : 1)
    let steps = perStep > 0 ? (dataset.train.count + perStep - 1) / perStep : 0
    var text = "An epoch is \(dataset.train.count) examples drawn: \(steps) steps of \(perStep); each worker draws its batches with replacement from its own shard"
    let sizes = shards.map(\.count)
    if let low = sizes.min(), let high = sizes.max(), high > low {
      text += " (\(low)–\(high) examples), so under '\(config.partition)' a small shard is revisited more often than a large one in an epoch"
    } else {
      text += " of \(sizes.first ?? 0) examples"
    }
    return text + "."
  }
}
