import HSQCompressors
import HSQCore

extension CompressorContract {
  /// The declaration: canonical spec, help text, a guarantee consistent with the properties.
  public static func declaration(_ spec: String) -> ContractCheckResult {
    var r = CheckRecorder("declaration")
    r.attempt(spec) { r in
      let c = try Compressors.make(spec)
      r.expect(try Compressors.make(c.spec).spec == c.spec, "\(spec): spec '\(c.spec)' is not canonical")
      let info = try Compressors.registry.info(String(spec.prefix { $0 != ":" }))
      r.expect(!info.summary.isEmpty && !info.summary.contains("\n") && info.summary.hasSuffix("."),
               "\(spec): the summary must be one sentence on one line")
      r.expect(!info.doc.isEmpty, "\(spec): no doc")
      for p in info.parameters { r.expect(!p.doc.isEmpty, "\(spec): parameter '\(p.name)' has no doc") }
      r.expect(!c.bitsFormula.isEmpty, "\(spec): no bits formula")
      for d in lengths {
        switch c.guarantee(length: d) {
        case let .unbiased(omega):
          r.expect(omega.isFinite && omega >= 0, "\(spec) d=\(d): ω = \(omega)")
          r.expect(c.properties.isUnbiased, "\(spec): declares ω but not isUnbiased")
        case let .contraction(delta):
          r.expect(delta > 0 && delta <= 1, "\(spec) d=\(d): δ = \(delta) outside (0, 1]")
        case .none:
          break
        }
        r.expect((c.bits(length: d) != nil) == c.properties.isFixedSize, "\(spec) d=\(d): bits(length:) vs isFixedSize")
      }
    }
    return r.result
  }

  /// decode∘encode: length, bit count, bytes, determinism, the input's bits when it `decodesToInput`, exact and bounded error.
  public static func roundTrip(_ c: any Compressor) -> ContractCheckResult {
    var r = CheckRecorder("round trip")
    for d in lengths {
      for kind in ContractVector.allCases {
        let label = "\(c.spec) d=\(d) \(kind)"
        r.attempt(label) { r in try roundTrip(c, kind.vector(d), label, &r) }
      }
    }
    return r.result
  }

  private static func roundTrip(_ c: any Compressor, _ v: [Float], _ label: String, _ r: inout CheckRecorder) throws {
    let d = v.count
    var rng = RandomStream(seed: 7)
    let payload = try c.encode(v, rng: &rng)
    let out = try c.decode(payload, length: d)
    r.expect(out.count == d, "\(label): decoded \(out.count) values")
    r.expect(out.allSatisfy { $0.isFinite }, "\(label): non-finite output")
    r.expect(payload.bytes.count == (payload.bitCount + 7) / 8, "\(label): bytes vs bitCount")
    if let bits = c.bits(length: d) {
      r.expect(payload.bitCount == bits, "\(label): \(payload.bitCount) bits, bits(length:) says \(bits)")
    }
    var again = RandomStream(seed: 7)
    r.expect(try c.encode(v, rng: &again) == payload, "\(label): the same seed gave a different payload")
    if c.properties.isDeterministic {
      var other = RandomStream(seed: 8)
      r.expect(try c.encode(v, rng: &other) == payload, "\(label): deterministic, but another seed changed the payload")
    }
    guard out.count == d else { return }
    if c.decodesToInput {
      r.expect(out.map(\.bitPattern) == v.map(\.bitPattern), "\(label): decodesToInput, but decode∘encode changed the bits")
    }
    let error = Vec.squaredDistance(out, v)
    let norm = Vec.squaredNorm(v)
    if c.properties.isDeterministic, let exact = c.expectedError(v) {
      r.expect(abs(error - exact) <= ContractStatistics.floatSlack(norm + exact) + 1e-30,
               "\(label): error \(error), expectedError \(exact)")
    }
    if c.properties.isDeterministic, let bound = c.errorBound(v) {
      // 1e-12: Double summation only (the outputs are exact floats).
      r.expect(error <= bound * (1 + 1e-12), "\(label): error \(error) above errorBound \(bound)")
    }
    if let exact = c.expectedError(v), let bound = c.errorBound(v) {
      r.expect(exact <= bound * (1 + 1e-12), "\(label): expectedError \(exact) above errorBound \(bound)")
    }
    if v.allSatisfy({ $0 == 0 }), c.errorBound(v) == 0 || c.expectedError(v) == 0 {
      r.expect(out.allSatisfy { $0 == 0 }, "\(label): the zero vector did not decode to zeros")
    }
  }

  /// NaN and ±∞ inputs throw ``HSQError/nonFinite(what:index:value:)`` naming the index.
  public static func nonFiniteInput(_ c: any Compressor) -> ContractCheckResult {
    var r = CheckRecorder("non-finite input")
    for d in [1, 7, 100] {
      for bad in [Float.nan, .infinity, -.infinity] {
        for position in Set([0, d / 2, d - 1]).sorted() {
          let label = "\(c.spec) d=\(d) \(bad) at \(position)"
          var v = ContractVector.gaussian.vector(d)
          v[position] = bad
          var rng = RandomStream(seed: 1)
          do {
            _ = try c.encode(v, rng: &rng)
            r.fail("\(label): encode did not throw")
          } catch let HSQError.nonFinite(_, index, _) {
            r.expect(index == position, "\(label): nonFinite names index \(index)")
          } catch {
            r.fail("\(label): threw \(error), not nonFinite")
          }
        }
      }
    }
    return r.result
  }

  /// Truncated payloads throw ``HSQError/malformedPayload(_:)``.
  public static func truncatedPayloads(_ c: any Compressor) -> ContractCheckResult {
    var r = CheckRecorder("truncated payload")
    for d in [1, 7, 100, 1024 + 3] {
      r.attempt("\(c.spec) d=\(d)") { r in
        let v = ContractVector.gaussian.vector(d)
        var rng = RandomStream(seed: 3)
        let payload = try c.encode(v, rng: &rng)
        let full = payload.bitCount
        for kept in Set([full - 1, full - 8, full / 2, 0]).sorted() where kept >= 0 && kept < full {
          let truncated = Payload(bytes: Array(payload.bytes.prefix((kept + 7) / 8)), bitCount: kept)
          r.expectMalformed("\(c.spec) d=\(d) truncated to \(kept) of \(full) bits", nil) {
            try c.decode(truncated, length: d)
          }
        }
      }
    }
    return r.result
  }

  /// Random bytes of the right length decode to `d` values or throw ``HSQError/malformedPayload(_:)``.
  public static func randomPayloads(_ c: any Compressor) -> ContractCheckResult {
    var r = CheckRecorder("random payload")
    var bytes = RandomStream(seed: 99)
    for d in [1, 7, 100] {
      guard let bits = c.bits(length: d) else { continue }
      for trial in 0..<20 {
        let raw = (0..<((bits + 7) / 8)).map { _ in UInt8(truncatingIfNeeded: bytes.next()) }
        r.expectMalformed("\(c.spec) d=\(d) random payload \(trial)", d) {
          try c.decode(Payload(bytes: raw, bitCount: bits), length: d)
        }
      }
    }
    return r.result
  }
}

extension CheckRecorder {
  /// Expects `decode` to throw malformedPayload, or (with `length`) to return that many values.
  mutating func expectMalformed(_ label: String, _ length: Int?, _ decode: () throws -> [Float]) {
    do {
      let out = try decode()
      if let length {
        expect(out.count == length, "\(label): decoded \(out.count) values")
      } else {
        fail("\(label): decode did not throw")
      }
    } catch HSQError.malformedPayload {
      expect(true, "")
    } catch {
      fail("\(label): threw \(error), not malformedPayload")
    }
  }
}
