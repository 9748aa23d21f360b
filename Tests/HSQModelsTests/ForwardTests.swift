import Foundation
import HSQCore
import HSQModels
import Testing

/// The scores are the documented function of the documented layer layout, computed independently in Double.
///
/// Finite differences only prove that the gradient matches the model's own loss; this suite proves
/// the loss is the right one: dense weights `in × out` with `z = x·W + b`, the named activation
/// between layers, and for `cnn` a valid convolution with `conv.weight` `[c, k, k, C]`, ReLU, 2×2
/// max-pooling and features flattened as `(py, px, channel)`.
@Suite("Forward pass matches a Double reference")
struct ForwardTests {
  @Test("scores of every model on every input it accepts", arguments: Fixtures.specs)
  func scores(spec: String) throws {
    for (index, (problem, model)) in try Fixtures.accepted(spec).enumerated() {
      let p = Fixtures.parameters(for: model, seed: 20 + UInt64(index))
      var scores: [Float] = []
      try model.scores(parameters: p, examples: problem.examples, rows: 0..<problem.examples.count, into: &scores, workspace: Workspace())
      let width = model.output.width
      for i in 0..<problem.examples.count {
        let reference = Self.reference(model, p, problem.examples, row: i)
        #expect(reference.count == width, "\(problem)")
        for j in 0..<width {
          let got = Double(scores[i * width + j])
          #expect(abs(got - reference[j]) <= 1e-4 * (1 + abs(reference[j])), "\(problem), example \(i), score \(j)")
        }
      }
    }
  }

  static func reference(_ model: any Model, _ p: [[Float]], _ e: Examples, row: Int) -> [Double] {
    let layers = model.layers
    var values = (0..<e.featureCount).map { Double(e.features[row * e.featureCount + $0]) }
    var l = 0
    if layers[0].name == "conv.weight" {
      let (c, k, channels) = (layers[0].shape[0], layers[0].shape[1], layers[0].shape[3])
      let shape = model.input.featureShape
      let (h, w) = (shape[shape.count - 2], shape[shape.count - 1])
      let (oh, ow) = (h - k + 1, w - k + 1)
      func conv(_ oy: Int, _ ox: Int, _ ch: Int) -> Double {
        var s = Double(p[1][ch])
        for ci in 0..<c { for ky in 0..<k { for kx in 0..<k {
          s += values[(ci * h + oy + ky) * w + ox + kx] * Double(p[0][((ci * k + ky) * k + kx) * channels + ch])
        } } }
        return max(s, 0)
      }
      var pooled: [Double] = []
      for py in 0..<(oh / 2) { for px in 0..<(ow / 2) { for ch in 0..<channels {
        pooled.append(max(max(conv(2 * py, 2 * px, ch), conv(2 * py, 2 * px + 1, ch)),
                          max(conv(2 * py + 1, 2 * px, ch), conv(2 * py + 1, 2 * px + 1, ch))))
      } } }
      values = pooled
      l = 2
    }
    while l < layers.count {
      let (inputs, outputs) = (layers[l].shape[0], layers[l].shape[1])
      let hasBias = l + 1 < layers.count && layers[l + 1].name.hasSuffix(".bias")
      var next = (0..<outputs).map { hasBias ? Double(p[l + 1][$0]) : 0 }
      for i in 0..<inputs { for j in 0..<outputs { next[j] += values[i] * Double(p[l][i * outputs + j]) } }
      l += hasBias ? 2 : 1
      if l < layers.count { next = next.map { activate($0, model.spec) } }
      values = next
    }
    return values
  }

  static func activate(_ z: Double, _ spec: String) -> Double {
    if spec.contains("activation=tanh") { return tanh(z) }
    if spec.contains("activation=sigmoid") { return 1 / (1 + exp(-z)) }
    return max(z, 0)
  }
}
