import HSQ
import HSQCompressors
import HSQCore
@testable import HSQExperiments
import Testing

/// The server pass equals N axpy calls into zeros followed by the update, bit for bit, however many workers.
@Suite struct ServerPassTests {
  /// `model` on a Gaussian mixture (`data`: its d and n, 8 test examples) with `workers` workers and heavy-ball `momentum`.
  static func config(model: String, data: String, workers: Int, momentum: Double) -> ExperimentConfig {
    var c = ExperimentConfig()
    c.model = model
    c.dataset = "gaussian-mixture:\(data),n-test=8"
    c.workers = workers
    c.momentum = momentum
    return c
  }

  @Test(arguments: [1, 3, Experiment.sourcesPerPass, Experiment.sourcesPerPass + 1, 2 * Experiment.sourcesPerPass + 5])
  func meanAndUpdateMatchAxpyInWorkerOrder(workers: Int) throws {
    let e = try Experiment(Self.config(model: "softmax", data: "d=8,n=128", workers: workers, momentum: 0.9))
    var rng = RandomStream(seed: UInt64(workers))
    let layers = e.model.layers
    let messages = (0..<workers).map { _ in layers.map { layer in (0..<layer.count).map { _ in Float(rng.gaussian()) } } }
    let raw = (0..<workers).map { _ in layers.map { layer in (0..<layer.count).map { _ in Float(rng.gaussian()) } } }
    let x0 = e.parameters
    e.velocity = layers.map { layer in (0..<layer.count).map { _ in Float(rng.gaussian()) } }
    let v0 = e.velocity
    let (mean, rawMean) = e.serverPass(messages: messages, raw: raw, layers: layers.count, update: true)
    for l in 0..<layers.count {
      var expected = [Float](repeating: 0, count: layers[l].count), expectedRaw = expected
      for w in 0..<workers {
        Vec.axpy(1 / Float(workers), messages[w][l], &expected)
        Vec.axpy(1 / Float(workers), raw[w][l], &expectedRaw)
      }
      #expect(mean[l].map(\.bitPattern) == expected.map(\.bitPattern), "layer \(l)")
      #expect(rawMean[l].map(\.bitPattern) == expectedRaw.map(\.bitPattern), "layer \(l)")
      var x = x0[l], v = v0[l]
      UpdateRule(e).portableApply(expected, &x, &v, 0..<x.count)
      #expect(e.parameters[l].map(\.bitPattern) == x.map(\.bitPattern), "layer \(l)")
      #expect(e.velocity[l].map(\.bitPattern) == v.map(\.bitPattern), "layer \(l)")
    }
  }

  /// Codeword rows (a remote worker's HSQ payloads) give the mean and the update of their decoded vectors, bit for
  /// bit, with a layer large enough for two lanes whose length is not a multiple of the sub-vector dimension.
  @Test(arguments: [1, 3, Experiment.sourcesPerPass + 2])
  func codewordRowsGiveTheMeanOfTheirDecodedVectors(workers: Int) throws {
    var c = Self.config(model: "mlp:hidden=37", data: "d=1000,n=64", workers: workers, momentum: 0.5)
    c.threads = 2
    let byRows = try Experiment(c), byValues = try Experiment(c)
    #expect(byRows.model.layers[0].count == 37_000)
    let hsq = try #require(try Compressors.make("hsq:dim=16,k=64,norm-bits=6") as? HSQCompressor)
    var rng = RandomStream(seed: UInt64(workers))
    let rows = try (0..<workers).map { _ in
      try byRows.model.layers.map { layer in
        try hsq.rows(try hsq.encode((0..<layer.count).map { _ in Float(rng.gaussian()) }, rng: &rng), length: layer.count)
      }
    }
    let (mean, _) = byRows.serverPass(layerMessages: rows.map { $0.map(LayerMessage.rows) }, raw: nil, layers: rows[0].count, update: true)
    let (expected, _) = byValues.serverPass(messages: rows.map { $0.map { $0.values() } }, raw: nil, layers: rows[0].count, update: true)
    #expect(mean.map { $0.map(\.bitPattern) } == expected.map { $0.map(\.bitPattern) })
    #expect(byRows.parameters.map { $0.map(\.bitPattern) } == byValues.parameters.map { $0.map(\.bitPattern) })
    #expect(byRows.velocity.map { $0.map(\.bitPattern) } == byValues.velocity.map { $0.map(\.bitPattern) })
  }

  /// The worker processes' mean of raw gradients is the same on any number of lanes.
  @Test func theWorkerMeanIsTheSameOnAnyNumberOfLanes() {
    var rng = RandomStream(seed: 5)
    let vectors = (0..<(Experiment.sourcesPerPass + 3)).map { _ in [70_001, 3, 0].map { n in (0..<n).map { _ in Float(rng.gaussian()) } } }
    let one = Experiment.workerMean(vectors)
    for threads in [2, 3, 8] {
      #expect(Experiment.workerMean(vectors, threads: threads).map { $0.map(\.bitPattern) } == one.map { $0.map(\.bitPattern) }, "\(threads) threads")
    }
  }
}
