import COpenBLAS

/// The calls into OpenBLAS's LAPACK behind ``Matrix``'s factorizations: workspace queries and `INFO` checks.
///
/// LAPACK routines take an `lwork` and report their optimal workspace when
/// called with `lwork = −1`; ``withWorkspace(_:_:)`` makes that query and then
/// the real call. A non-zero `INFO` is a negative argument index (a wrong
/// call here, a bug) or a positive failure to converge; both stop the program
/// with the routine's name and the meaning of the code, since the public
/// factorizations do not throw (their inputs are checked to be finite first).
enum LAPACK {
  /// Runs `call(work, lwork)` with `lwork = −1` to learn the optimal workspace, then with that workspace.
  ///
  /// `call` returns LAPACK's `INFO`; `routine` names it in the failure message.
  static func withWorkspace(_ routine: String, _ call: (_ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32) {
    var optimal = 0.0
    check(withUnsafeMutablePointer(to: &optimal) { call($0, -1) }, routine)
    var work = [Double](repeating: 0, count: Swift.max(1, Int(optimal)))
    let count = Int32(work.count)
    check(work.withUnsafeMutableBufferPointer { call($0.baseAddress!, count) }, routine)
  }

  /// Stops with a message naming `routine` and the meaning of `info` unless `info` is 0.
  static func check(_ info: Int32, _ routine: String) {
    guard info != 0 else { return }
    let meaning = info < 0
      ? "argument \(-info) is invalid (a bug in hsq's call)"
      : "it did not converge (INFO = \(info)); the matrix is likely ill-scaled or has entries near overflow"
    let error = HSQError.invalidState("LAPACK \(routine) failed: \(meaning).")
    preconditionFailure("\(error)")
  }

  /// The eigenvalues, ascending, of the symmetric tridiagonal matrix with diagonal `d` and off-diagonal `e` (`dsterf`).
  static func tridiagonalEigenvalues(_ d: [Double], _ e: [Double]) -> [Double] {
    var values = d, offDiagonal = e
    guard !values.isEmpty else { return [] }
    let n = Int32(values.count)
    let info = values.withUnsafeMutableBufferPointer { pd in
      offDiagonal.withUnsafeMutableBufferPointer { pe in hsq_dsterf(n, pd.baseAddress!, pe.baseAddress) }
    }
    check(info, "dsterf")
    return values
  }
}
