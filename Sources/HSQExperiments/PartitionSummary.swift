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
