import HSQ
import HSQCore
@testable import HSQExperiments
import Testing

/// Each aggregator on crafted messages: outliers for the robust ones, clipping, and the mean's bits.
@Suite struct AggregatorTests {
  /// One-layer messages, one value per worker for each coordinate: `columns[i][w]`.
  static func messages(_ columns: [[Float]]) -> [[[Float]]] {
    (0..<columns[0].count).map { w in [columns.map { $0[w] }] }
  }

  @Test func medianIgnoresAMinorityOfOutliers() throws {
    let median = try Aggregators.make("median")
    // Odd N: the middle value; even N: the mean of the two middle ones — the 1e30 and −1e30 do not move either.
    #expect(try median.aggregate(Self.messages([[1, 1e30, 2], [-1e30, 5, 4]])) == [[2, 4]])
    #expect(try median.aggregate(Self.messages([[1, 2, 3, 1e30], [7, -1e30, 7, 8]])) == [[2.5, 7]])
    #expect(median.properties == AggregatorProperties(isLinear: false, isPermutationInvariant: true))
  }

  @Test func trimmedMeanCutsBetaNFromEachEnd() throws {
    let trimmed = try Aggregators.make("trimmed-mean:beta=0.25")
    // N = 4, k = ⌊0.25·4⌋ = 1: the largest and smallest of each coordinate go, the middle two are averaged.
    #expect(try trimmed.aggregate(Self.messages([[1, 2, 3, 1000], [-1e6, 1, 2, 3]])) == [[2.5, 1.5]])
    // N = 3: k = 0, the mean of the sorted values.
    #expect(try trimmed.aggregate(Self.messages([[3, 1, 2]])) == [[Float(1) / 3 * 6]])
    #expect(try Aggregators.make("trimmed-mean").spec == "trimmed-mean:beta=0.1")
    #expect(throws: HSQError.self) { try Aggregators.make("trimmed-mean:beta=0.5") }
  }

  @Test func normClipScalesOnlyMessagesOverTheBoundOverAllLayers() throws {
    let clip = try Aggregators.make("norm-clip:c=1")
    // Worker 0: layers [3] and [4], norm 5 → scaled by 1/5; worker 1: norm 0.5, untouched.
    let messages: [[[Float]]] = [[[3], [4]], [[0.3], [0.4]]]
    let out = try clip.aggregate(messages)
    #expect(out == Experiment.workerMean([[[Float(0.2) * 3], [Float(0.2) * 4]], [[0.3], [0.4]]]))
    // Nothing over the bound: the mean, bit for bit.
    #expect(try Aggregators.make("norm-clip:c=100").aggregate(messages) == Experiment.workerMean(messages))
    let missing = #expect(throws: HSQError.self) { try Aggregators.make("norm-clip") }
    #expect(missing?.description.contains("'c'") == true)
  }

  @Test(arguments: [1, 5, Experiment.sourcesPerPass + 3])
  func meanIsTheServerPassesMeanBitForBit(workers: Int) throws {
    var c = ExperimentConfig()
    c.model = "softmax"
    c.dataset = "gaussian-mixture:d=8,n=128,n-test=8"
    c.workers = workers
    let e = try Experiment(c)
    var rng = RandomStream(seed: 7)
    let messages = (0..<workers).map { _ in e.model.layers.map { layer in (0..<layer.count).map { _ in Float(rng.gaussian()) } } }
    let fused = e.serverPass(messages: messages, raw: nil, layers: e.model.layers.count, update: false).mean
    let generic = try Aggregators.make("mean").aggregate(messages)
    #expect(generic.map { $0.map(\.bitPattern) } == fused.map { $0.map(\.bitPattern) })
  }

  @Test(arguments: [1, 2, 3, 8, 33])
  func theSortingNetworkGivesEachCoordinatesSortedValues(workers: Int) throws {
    // Lengths around the 16-coordinate blocks and one split across lanes; values with ties (rounded to 1/4).
    var rng = RandomStream(seed: UInt64(workers))
    let lengths = [1, 15, 16, 37, 40_003]
    let messages = (0..<workers).map { _ in lengths.map { d in (0..<d).map { _ in Float((rng.gaussian() * 4).rounded()) / 4 } } }
    let median = try Aggregators.make("median").aggregate(messages)
    let trimmed = try TrimmedMeanAggregator(beta: 0.2).aggregate(messages)
    let k = TrimmedMeanAggregator(beta: 0.2).trimmed(workers: workers)
    for l in lengths.indices {
      for i in 0..<lengths[l] {
        let sorted = messages.map { $0[l][i] }.sorted()
        let expected = workers % 2 == 1 ? sorted[workers / 2] : 0.5 * sorted[workers / 2 - 1] + 0.5 * sorted[workers / 2]
        #expect(median[l][i] == expected, "layer \(l) index \(i)")
        var sum: Float = 0
        for j in k..<(workers - k) { sum += sorted[j] }
        #expect(trimmed[l][i] == 1 / Float(workers - 2 * k) * sum, "layer \(l) index \(i)")
      }
    }
  }

  @Test func unknownNamesSuggestTheClosest() {
    let error = #expect(throws: HSQError.self) { try Aggregators.make("medain") }
    #expect(error?.description.contains("Did you mean 'median'?") == true)
  }
}
