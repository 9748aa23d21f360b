import HSQ
import Testing

/// `theory --samples` (``Experiment/monteCarloCheck(samples:z:layer:)``) draws its samples on `threads` threads:
/// the checks must not depend on how many.
@Suite struct MonteCarloDeterminismTests {
  @Test(arguments: ["hsq-unbiased:dim=8,k=32,codebook=gaussian", "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"])
  func sameChecksWhateverTheThreadCount(compressor: String) throws {
    let c = SmallExperiment.config(compressor: compressor, workers: 4, seed: 3)
    let checks = try [1, 2, 3].map { threads -> [MonteCarloCheck] in
      var config = c
      config.threads = threads
      let e = try Experiment(config)
      try e.step()
      try e.step()
      return try e.monteCarloCheck(samples: 61)
    }
    #expect(!checks[0].isEmpty)
    #expect(checks[0].allSatisfy { $0.samples == 61 && $0.standardError > 0 })
    #expect(checks[1] == checks[0], "2 threads")
    #expect(checks[2] == checks[0], "3 threads")
  }
}
