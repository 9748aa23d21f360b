import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("synthetic generators")
struct GeneratorTests {
  @Test("Every generator is bit-identical for the same seed and differs for another", arguments: [
    "linear:d=12,n=200,n-test=50", "linear:d=12,n=200,whiten=false,normalize=standardize",
    "logistic:d=8,n=300", "logistic:d=8,n=300,separable=true,margin=0.3",
    "gaussian-mixture:classes=4,d=6,n=301,n-test=33", "gaussian-mixture:classes=9,d=3,n=100",
  ])
  func deterministic(spec: String) throws {
    let a = try Datasets.load(spec + ",seed=11"), b = try Datasets.load(spec + ",seed=11")
    let c = try Datasets.load(spec + ",seed=12")
    #expect(bits(a) == bits(b))
    #expect(bits(a) != bits(c))
    #expect(a.name == b.name && a.name.contains("seed=11"))
  }

  @Test("linear: with whitening XᵀX/n has exactly the log-spaced spectrum and condition number")
  func linearWhitenedSpectrum() throws {
    let generated = try LinearDataset.generate(Datasets.parameters("linear:d=16,n=400,condition=1000,seed=5"))
    let eigen = symmetricEigenvalues(covariance(generated.dataset.train), 16)
    let expected = generated.eigenvalues.sorted()
    #expect(abs(expected.last! / expected.first! - 1000) < 1e-9)
    for (got, want) in zip(eigen, expected) { #expect(abs(got / want - 1) < 1e-3, "eigenvalue \(got) vs \(want)") }
    #expect(abs(eigen.last! / eigen.first! / 1000 - 1) < 2e-3)
  }

  @Test("linear: without whitening the condition number is the population's within sampling error")
  func linearPopulationSpectrum() throws {
    let (d, n) = (16, 4096)
    let data = try Datasets.load("linear:d=\(d),n=\(n),condition=100,whiten=false,seed=2")
    let eigen = symmetricEigenvalues(covariance(data.train), d)
    // The extreme population eigenvalues (100 and 1, log-spaced: neighbours 100^(1/15) ≈ 1.36
    // apart, far more than the sampling error) are isolated, so each sample eigenvalue has
    // relative standard deviation √(2/n) (Anderson 1963) and a bias of order d/n ≈ 0.4 % that is
    // smaller still (Σ_j λ_j/(λ_i − λ_j)/n ≈ 6/n). Their ratio: SD ≈ √(2·2/n) = 2/√n; k = 5.
    let tolerance = 5 * 2 / Double(n).squareRoot() + 6.0 / Double(n)
    let ratio = eigen.last! / eigen.first! / 100
    #expect(abs(ratio - 1) <= tolerance, "sample condition number / 100 = \(ratio), tolerance \(tolerance)")
    #expect(abs(ratio - 1) > 1e-3, "unwhitened rows should not hit the spectrum exactly")
  }

  @Test("linear: targets are x·w* plus noise of the chosen standard deviation")
  func linearNoise() throws {
    let exact = try LinearDataset.generate(Datasets.parameters("linear:d=10,n=500,noise=0"))
    let noisy = try LinearDataset.generate(Datasets.parameters("linear:d=10,n=4000,noise=0.5"))
    #expect(abs(exact.trueWeights.reduce(0) { $0 + Double($1 * $1) } - 1) < 1e-6)
    func residuals(_ g: LinearDataset.Generated) -> [Double] {
      let x = g.dataset.train, d = x.featureCount
      return (0..<x.count).map { r in
        Double(x.targets[r]) - (0..<d).reduce(0.0) { $0 + Double(x.features[r * d + $1]) * Double(g.trueWeights[$1]) }
      }
    }
    #expect(residuals(exact).allSatisfy { abs($0) < 1e-5 })
    let res = residuals(noisy)
    let variance = res.reduce(0) { $0 + $1 * $1 } / Double(res.count)
    // Var of a sample variance of N(0, σ²) is 2σ⁴/n: allow k = 5 standard deviations.
    #expect(abs(variance - 0.25) < 5 * 0.25 * (2.0 / Double(res.count)).squareRoot(), "noise variance \(variance)")
    #expect(noisy.dataset.task == .regression && noisy.dataset.test.count == 256)
  }

  @Test("linear: impossible settings are refused with the fix")
  func linearRefusals() {
    #expect(throws: HSQError.self) { _ = try Datasets.load("linear:d=10,n=5") }
    #expect(throws: HSQError.self) { _ = try Datasets.load("linear:d=1") }
    #expect(throws: Never.self) { _ = try Datasets.load("linear:d=10,n=5,whiten=false") }
  }

  @Test("logistic: separable data lies at least 'margin' from the hyperplane on its label's side")
  func logisticSeparable() throws {
    let g = try LogisticDataset.generate(Datasets.parameters("logistic:d=20,n=2000,separable=true,margin=0.5"))
    for x in [g.dataset.train, g.dataset.test] {
      let d = x.featureCount
      let signed = (0..<x.count).map { r in
        let dot = (0..<d).reduce(0.0) { $0 + Double(x.features[r * d + $1]) * Double(g.trueWeights[$1]) }
        return x.labels[r] == 1 ? dot : -dot
      }
      let closest = signed.indices.min { signed[$0] < signed[$1] }!
      #expect(signed[closest] >= 0.5 - 1e-5, "example \(closest) is \(signed[closest]) from the hyperplane on its label's side")
    }
    let positives = g.dataset.train.labels.filter { $0 == 1 }.count
    #expect(abs(Double(positives) - 1000) < 5 * (2000 * 0.25).squareRoot(), "Binomial(2000, ½), k = 5")
  }

  @Test("logistic: noise flips that fraction of the labels")
  func logisticNoise() throws {
    let n = 20000, noise = 0.2
    let g = try LogisticDataset.generate(Datasets.parameters("logistic:d=5,n=\(n),noise=\(noise)"))
    let x = g.dataset.train
    var flipped = 0
    for r in 0..<n {
      let dot = (0..<5).reduce(0.0) { $0 + Double(x.features[r * 5 + $1]) * Double(g.trueWeights[$1]) }
      if (dot >= 0) != (x.labels[r] == 1) { flipped += 1 }
    }
    let sigma = (noise * (1 - noise) / Double(n)).squareRoot()
    #expect(abs(Double(flipped) / Double(n) - noise) < 5 * sigma, "Binomial(n, noise), k = 5")
    #expect(throws: HSQError.self) { _ = try Datasets.load("logistic:separable=true,noise=0.1") }
    #expect(throws: HSQError.self) { _ = try Datasets.load("logistic:margin=1") }
  }

  @Test("gaussian-mixture: balanced classes, means exactly 'separation' apart")
  func mixtureStructure() throws {
    let g = try GaussianMixtureDataset.generate(Datasets.parameters("gaussian-mixture:classes=7,d=10,n=1000,n-test=99,separation=3"))
    for (x, total) in [(g.dataset.train, 1000), (g.dataset.test, 99)] {
      let counts = histogram(x.labels, classCount: 7)
      #expect(counts.reduce(0, +) == total && counts.max()! - counts.min()! <= 1, "\(counts)")
    }
    for a in 0..<7 {
      for b in (a + 1)..<7 {
        let dist = (0..<10).reduce(0.0) { s, j in
          let t = Double(g.means[a * 10 + j] - g.means[b * 10 + j])
          return s + t * t
        }.squareRoot()
        #expect(abs(dist - 3) < 1e-5)
      }
    }
    #expect(g.dataset.task == .multiclass && g.dataset.classCount == 7)
  }

  @Test("gaussian-mixture: two classes are told apart by the true means at the Bayes rate Φ(separation/2)")
  func mixtureBayesAccuracy() throws {
    let (n, sep) = (20000, 2.0)
    let g = try GaussianMixtureDataset.generate(Datasets.parameters("gaussian-mixture:classes=2,d=4,n=\(n),separation=\(sep)"))
    let x = g.dataset.train
    var correct = 0
    for r in 0..<n {
      let dist = (0..<2).map { k in (0..<4).reduce(0.0) { s, j in
        let t = Double(x.features[r * 4 + j] - g.means[k * 4 + j]); return s + t * t } }
      if (dist[0] < dist[1] ? 0 : 1) == x.labels[r] { correct += 1 }
    }
    let bayes = 0.5 * erfc(-sep / 2 / 2.0.squareRoot())
    let sigma = (bayes * (1 - bayes) / Double(n)).squareRoot()
    #expect(abs(Double(correct) / Double(n) - bayes) < 5 * sigma, "accuracy \(Double(correct) / Double(n)) vs Φ = \(bayes)")
    #expect(g.dataset.task == .binary)
  }

  @Test("The default dataset is Fashion-MNIST when installed, else a synthetic one of the same shape")
  func defaultSpec() throws {
    #expect(Datasets.defaultSpec == (FashionMNISTDataset.isInstalled() ? "fashion-mnist" : Datasets.syntheticDefaultSpec))
    let synthetic = try Datasets.load(Datasets.syntheticDefaultSpec)
    #expect(synthetic.train.featureCount == 784 && synthetic.classCount == 10 && synthetic.train.count == 6000)
  }
}
