import HSQ
import HSQCore
@testable import HSQExperiments
import Testing

/// The server pass equals N axpy calls into zeros followed by the update, bit for bit, however many workers.
@Suite struct ServerPassTests {
  @Test(arguments: [1, 3, Experiment.sourcesPerPass, Experiment.sourcesPerPass + 1, 2 * Experiment.sourcesPerPass + 5])
  func meanAndUpdateMatchAxpyInWorkerOrder(workers: Int) throws {
    var c = ExperimentConfig()
    c.model = "softmax"
    c.dataset = "gaussian-mixture:d=8,n=128,n-test=8"
    c.workers = workers
    c.momentum = 0.9
    let e = try Experiment(c)
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
}
