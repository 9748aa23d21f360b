import CKernels
import HSQCodebooks
import HSQCore

/// A decoded HSQ payload before it is written out: sub-vector m is `scalars[m]` times codeword `indices[m]`.
///
/// Entry m·D + j of the decoded vector is the single product `scalars[m] · codebook[indices[m]·D + j]`
/// (the last sub-vector cut at the length), what ``HSQCompressor/decode(_:length:)`` writes. A server summing
/// many workers' payloads reads these 8 bytes a sub-vector instead of each worker's D floats
/// (``RowDecoding``).
public struct CodewordRows: Sendable {
  /// The codebook's K×D values, row-major.
  public let codebook: [Float]
  /// The sub-vector dimension D.
  public let dim: Int
  /// The decoded vector's length d.
  public let length: Int
  public let indices: [Int32]
  public let scalars: [Float]

  init(codebook: Codebook, length: Int, indices: [Int32], scalars: [Float]) {
    precondition(indices.count == scalars.count && indices.count == SubvectorLayout(length: length, dim: codebook.dim).count,
                 "codeword rows: \(indices.count) indices and \(scalars.count) scalars for \(length) entries of dimension \(codebook.dim)")
    self.codebook = codebook.vectors
    dim = codebook.dim
    self.length = length
    self.indices = indices
    self.scalars = scalars
  }

  /// The decoded vector.
  public func values() -> [Float] {
    var out = [Float](unsafeUninitializedCapacity: length) { _, count in count = length }
    NearestCodewords.reconstruct(
      codebook: codebook, dim: dim, indices: indices, scalars: scalars, layout: SubvectorLayout(length: length, dim: dim), into: &out)
    return out
  }
}

/// A compressor whose payloads decode to ``CodewordRows``: the server's mean can read them without writing each
/// worker's decoded vector (``CodewordRows/addMean(of:scale:into:range:continuing:level:)``), the same bits as decoding first.
public protocol RowDecoding: Compressor {
  /// The payload as codeword rows; throws as ``Compressor/decode(_:length:)`` does on a malformed payload.
  func rows(_ payload: Payload, length d: Int) throws -> CodewordRows
  /// ``Compressor/encode(_:rng:)`` with the rows of its payload: the same payload from the same draws, and what
  /// ``rows(_:length:)`` reads back from it, bit for bit (an encoder has them at hand; a worker needs them for its
  /// error and memory).
  func encodeRows(_ v: [Float], rng: inout RandomStream) throws -> (payload: Payload, rows: CodewordRows)
}

extension CodewordRows {
  /// For entries `range` of every source (in order): `out[i] = out[i] + scale · x_w[i]` from `out[i]` when
  /// `continuing`, else from +0, where x_w is source w's decoded vector; each product and sum rounded as
  /// ``Experiment``'s mean of written vectors rounds them, so the result is the same bit for bit.
  /// `range` starts at a multiple of D; every source has the same codebook, D and length.
  /// `level`: the most the kernel may use (for tests).
  public static func addMean(
    of sources: [CodewordRows], scale: Float, into out: UnsafeMutablePointer<Float>, range: Range<Int>, continuing: Bool,
    level: hsq_kernel_level = HSQ_KERNELS_AUTO
  ) {
    guard let first = sources.first, !range.isEmpty else { return }
    let dim = first.dim
    precondition(range.lowerBound % dim == 0 && range.upperBound <= first.length, "codeword rows: entries \(range) of \(first.length) by \(dim)")
    precondition(sources.allSatisfy { $0.dim == dim && $0.length == first.length && $0.codebook.count == first.codebook.count },
                 "codeword rows: the sources differ in shape")
    let rows = (range.lowerBound / dim)..<((range.upperBound + dim - 1) / dim)
    first.codebook.withUnsafeBufferPointer { c in
      withBaseAddresses(sources.map(\.indices)) { k in
        withBaseAddresses(sources.map(\.scalars)) { u in
          k.withUnsafeBufferPointer { k in
            u.withUnsafeBufferPointer { u in
              hsq_mean_of_rows(c.baseAddress!, Int32(dim), k.baseAddress!, u.baseAddress!, Int32(sources.count), scale, out,
                               Int64(rows.lowerBound), Int64(rows.upperBound), Int64(range.upperBound), continuing ? 1 : 0, level)
            }
          }
        }
      }
    }
  }

  /// ``addMean(of:scale:into:range:continuing:level:)`` in Swift, an entry at a time: the reference its kernels are tested against.
  static func portableAddMean(of sources: [CodewordRows], scale: Float, into out: UnsafeMutablePointer<Float>, range: Range<Int>, continuing: Bool) {
    for i in range {
      var acc: Float = continuing ? out[i] : 0
      for source in sources {
        let m = i / source.dim
        acc = acc + scale * (source.scalars[m] * source.codebook[Int(source.indices[m]) * source.dim + i % source.dim])
      }
      out[i] = acc
    }
  }
}

extension CodewordRows {
  /// A worker's error statistics of its input `p` against these rows' decoded vector q, without writing q:
  /// (‖p‖², ‖q − p‖²) as ``Vec/squaredNormAndDistance(_:_:)`` gives them on p and ``values()``, and with
  /// `difference` the error-feedback memory p − q as ``Vec/squaredNormDistanceAndDifference(_:_:)`` gives it,
  /// bit for bit. `level`: the most the kernel may use (for tests).
  public func errorStatistics(of p: [Float], difference: Bool, level: hsq_kernel_level = HSQ_KERNELS_AUTO)
    -> (norm: Double, distance: Double, difference: [Float]?)
  {
    precondition(p.count == length, "codeword rows: an input of \(p.count) entries against rows of \(length)")
    guard length > 0 else {
      let (norm, distance) = Vec.squaredNormAndDistance(p, [])
      return (norm, distance, difference ? [] : nil)
    }
    var norm = 0.0, distance = 0.0
    func sums(_ out: UnsafeMutablePointer<Float>?) {
      p.withUnsafeBufferPointer { x in
        codebook.withUnsafeBufferPointer { c in
          indices.withUnsafeBufferPointer { k in
            scalars.withUnsafeBufferPointer { u in
              hsq_rows_sums_of_squares(x.baseAddress!, c.baseAddress!, Int32(dim), k.baseAddress!, u.baseAddress!, Int64(length),
                                       &norm, &distance, out, level)
            }
          }
        }
      }
    }
    guard difference else {
      sums(nil)
      return (norm, distance, nil)
    }
    let memory = [Float](unsafeUninitializedCapacity: length) { out, count in
      sums(out.baseAddress!)
      count = length
    }
    return (norm, distance, memory)
  }
}
