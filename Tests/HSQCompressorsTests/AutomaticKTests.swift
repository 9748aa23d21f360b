import HSQCompressors
import HSQCore
import Testing

/// `k=auto` for the HSQ codebooks: K = min(1024, 2^⌈log₂ 16D⌉), resolved into the compressor's spelling.
@Suite struct AutomaticKTests {
  @Test(arguments: [(1, 16), (2, 32), (4, 64), (8, 128), (16, 256), (32, 512), (64, 1024), (128, 1024), (256, 1024), (1024, 1024), (3, 64), (5, 128)])
  func theRule(dim: Int, k: Int) throws {
    let c = try Compressors.make("hsq-unbiased:dim=\(dim),k=auto,codebook=gaussian")
    #expect(c.spec.contains(",k=\(k),"), "\(c.spec)")
  }

  @Test(arguments: ["hsq", "hsq-unbiased", "hsq-residual"])
  func everyHSQVariantTakesIt(name: String) throws {
    let auto = try Compressors.make("\(name):dim=8,k=auto,codebook=gaussian")
    let explicit = try Compressors.make("\(name):dim=8,k=128,codebook=gaussian")
    #expect(auto.spec == explicit.spec)
    #expect(auto.bits(length: 64) == explicit.bits(length: 64))
    #expect(auto.guarantee(length: 64) == explicit.guarantee(length: 64))
  }

  @Test func aWordOtherThanAutoIsRefusedNamingBoth() {
    #expect {
      try Compressors.make("hsq:dim=8,k=automatic")
    } throws: { error in
      "\(error)".contains("'automatic' is not a whole number") && "\(error)".contains("or auto")
    }
    // Parameters without the rule do not take it.
    #expect(throws: HSQError.self) { try Compressors.make("hsq:dim=auto") }
  }
}
