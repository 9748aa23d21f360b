import HSQCompressors
import HSQCore
import Testing

/// Scalar widths the quantizer does not have (17...31) are refused naming the parameter the user wrote and the
/// component they asked for, also where a variant passes the width on to a stage of its own.
@Suite struct ScalarBitsTests {
  @Test(arguments: [
    ("hsq:norm-bits=17", "'norm-bits' of 'hsq'"),
    ("hsq-unbiased:norm-bits=31", "'norm-bits' of 'hsq-unbiased'"),
    ("hsq-residual:norm-bits=20", "'norm-bits' of 'hsq-residual'"),
    ("hsq-residual:residual-bits=17", "'residual-bits' of 'hsq-residual'"),
  ])
  func anUnsupportedWidthNamesWhatWasWritten(spec: String, names: String) {
    #expect {
      try Compressors.make(spec)
    } throws: { error in
      let text = "\(error)"
      return text.contains(names) && text.contains("give 1...16, or 32 for float32 scalars")
    }
  }

  @Test(arguments: ["hsq-residual:residual-bits=16", "hsq-residual:residual-bits=32", "hsq-residual:norm-bits=16,residual-bits=1"])
  func supportedWidthsBuild(spec: String) throws {
    _ = try Compressors.make(spec)
  }
}

/// `codebook=file:path=c.fvecs` (a spec, not a construction name) was read as a file named 'c.fvecs:dim=2'.
@Test(arguments: ["hsq:dim=2,k=4,codebook=file:path=c.fvecs", "hsq-unbiased:dim=2,k=4,codebook=gaussian:dim=2"])
func aCodebookSpecWithParametersIsRefusedNamingCodebookPath(spec: String) {
  #expect {
    try Compressors.make(spec)
  } throws: { error in
    "\(error)".contains("is not a construction name") && "\(error)".contains("codebook-path=FILE")
  }
}
