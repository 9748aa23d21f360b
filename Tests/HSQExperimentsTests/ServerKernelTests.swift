import HSQCore
@testable import HSQExperiments
import Testing

/// The server pass's C kernels (mean over workers, SGD step) equal their Swift forms bit for bit.
@Suite struct ServerKernelTests {
  static func vector(_ n: Int, _ rng: inout RandomStream) -> [Float] {
    (0..<n).map { i in i % 11 == 0 ? -0.0 : Float(rng.gaussian()) * (i % 7 == 0 ? 1e-30 : 1) }
  }

  @Test(arguments: [1, 15, 16, 17, 100, 4099])
  func meanMatchesSwift(n: Int) {
    var rng = RandomStream(seed: UInt64(n))
    for count in [1, 3, 8] {
      let sources = (0..<count).map { _ in Self.vector(n, &rng) }
      var fast = [Float](repeating: .nan, count: n), swift = [Float](repeating: .nan, count: n)
      let range = (n / 3)..<n
      withBaseAddresses(sources) { pointers in
        Experiment.mean(of: pointers, scale: 1 / Float(count), into: &fast, range: range)
        Experiment.portableMean(of: pointers, scale: 1 / Float(count), into: &swift, range: range)
      }
      #expect(fast.map(\.bitPattern) == swift.map(\.bitPattern), "n \(n), \(count) sources")
      // The Swift form is N axpy calls into zeros.
      var axpy = [Float](repeating: 0, count: n)
      for source in sources { Vec.axpy(1 / Float(count), source, &axpy) }
      #expect(swift[range].map(\.bitPattern) == axpy[range].map(\.bitPattern))
    }
  }

  @Test(arguments: [1, 15, 16, 17, 4099])
  func updateMatchesSwift(n: Int) {
    var rng = RandomStream(seed: 7 + UInt64(n))
    let g = Self.vector(n, &rng)
    let x0 = Self.vector(n, &rng), v0 = Self.vector(n, &rng)
    let rule = UpdateRule(rate: 0.1, decay: 5e-4, momentum: 0.9)
    var x1 = x0, v1 = v0, x2 = x0, v2 = v0
    rule.apply(g, &x1, &v1, min(2, n)..<n)
    rule.portableApply(g, &x2, &v2, min(2, n)..<n)
    #expect(x1.map(\.bitPattern) == x2.map(\.bitPattern))
    #expect(v1.map(\.bitPattern) == v2.map(\.bitPattern))
    #expect(x1[0..<min(2, n)] == x0[0..<min(2, n)], "outside the range nothing changes")

    // Out of place (as the server pass updates a layer its undo point shares): the in-place bits, in other buffers,
    // with the kernel and in Swift; the inputs are left as they were.
    var xIn = x0, vIn = v0
    rule.apply(g, &xIn, &vIn, 0..<n)
    for kernel in [true, false] {
      var xOut = [Float](repeating: .nan, count: n), vOut = xOut
      x0.withUnsafeBufferPointer { x in
        v0.withUnsafeBufferPointer { v in
          xOut.withUnsafeMutableBufferPointer { xo in
            vOut.withUnsafeMutableBufferPointer { vo in
              if kernel {
                rule.apply(g, from: x.baseAddress!, v.baseAddress!, into: xo.baseAddress!, vo.baseAddress!, 0..<n)
              } else {
                rule.portableApply(g, from: x.baseAddress!, v.baseAddress!, into: xo.baseAddress!, vo.baseAddress!, 0..<n)
              }
            }
          }
        }
      }
      #expect(xOut.map(\.bitPattern) == xIn.map(\.bitPattern), "kernel \(kernel)")
      #expect(vOut.map(\.bitPattern) == vIn.map(\.bitPattern), "kernel \(kernel)")
    }
  }
}
