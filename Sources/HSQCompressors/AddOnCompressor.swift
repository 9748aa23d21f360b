import HSQCore

/// A compressor an add-on registered, reporting each call into it to ``AddOnActivity`` first.
///
/// Everything is forwarded unchanged (same payloads, same random draws), so wrapping changes no result;
/// it only lets the session journal mark the add-on as in use before its code runs.
struct AddOnCompressor: Compressor {
  let wrapped: any Compressor
  /// The add-on file that registered it.
  let owner: String

  var spec: String { wrapped.spec }
  var properties: CompressorProperties { wrapped.properties }
  func guarantee(length d: Int) -> Guarantee { wrapped.guarantee(length: d) }
  func bits(length d: Int) -> Int? { wrapped.bits(length: d) }
  var bitsFormula: String { wrapped.bitsFormula }

  func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    AddOnActivity.willRun(owner, "encode")
    return try wrapped.encode(v, rng: &rng)
  }

  func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    AddOnActivity.willRun(owner, "decode")
    return try wrapped.decode(payload, length: d)
  }

  func expectedError(_ v: [Float]) -> Double? { wrapped.expectedError(v) }
  func coordinateVariances(_ v: [Float]) -> [Double]? { wrapped.coordinateVariances(v) }
  func errorBound(_ v: [Float]) -> Double? { wrapped.errorBound(v) }
  var decodesToInput: Bool { wrapped.decodesToInput }
}
