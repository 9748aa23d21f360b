import Foundation
import HSQCore

/// The nonlinearity between hidden layers, with its derivative written in terms of the output.
///
/// ```
/// relu:    a = max(z, 0)         da/dz = [a > 0]
/// tanh:    a = tanh z            da/dz = 1 − a²
/// sigmoid: a = 1/(1 + e^{−z})    da/dz = a(1 − a)
/// ```
///
/// Every derivative is a function of the activation `a`, so the backward
/// pass keeps only activations. The default initialization follows: He
/// (`N(0, 2/fan_in)`) for relu, Xavier/Glorot (`N(0, 2/(fan_in + fan_out))`)
/// for tanh and sigmoid.
public enum Activation: String, NamedChoice {
  case relu
  case tanh
  case sigmoid

  /// a ← act(a) over `count` values, in place.
  func apply(_ a: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .relu:
      for i in 0..<count { a[i] = max(a[i], 0) }
    case .tanh:
      for i in 0..<count { a[i] = Foundation.tanh(a[i]) }
    case .sigmoid:
      for i in 0..<count {
        let z = a[i]
        a[i] = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
      }
    }
  }

  /// δ ← δ ⊙ act′, with the derivative computed from the activations `a`.
  func backward(_ delta: UnsafeMutablePointer<Float>, activations a: UnsafePointer<Float>, count: Int) {
    switch self {
    case .relu:
      // Sixteen lanes at a time, without branches: the signs of a are random, and a branch per value mispredicts half the time.
      var i = 0
      while i + 16 <= count {
        let activation = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        var d = UnsafeRawPointer(delta + i).loadUnaligned(as: SIMD16<Float>.self)
        d.replace(with: 0, where: .!(activation .> 0))
        UnsafeMutableRawPointer(delta + i).storeBytes(of: d, as: SIMD16<Float>.self)
        i += 16
      }
      while i < count {
        delta[i] = a[i] > 0 ? delta[i] : 0
        i += 1
      }
    case .tanh:
      for i in 0..<count { delta[i] *= 1 - a[i] * a[i] }
    case .sigmoid:
      for i in 0..<count { delta[i] *= a[i] * (1 - a[i]) }
    }
  }
}
