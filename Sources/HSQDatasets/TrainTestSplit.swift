import HSQCore

/// A seeded split of a file's examples into train and test, for files that come without a test set.
///
/// ```
/// order  = Fisher–Yates shuffle of 0..<count with RandomStream.derived(seed, "train-test-split")
/// test   = the first round(count · fraction) of order, sorted
/// train  = the rest, sorted
/// ```
///
/// Both index lists are ascending, so examples keep their file order.
enum TrainTestSplit {
  static func indices(count: Int, testFraction: Double, seed: Int) -> (train: [Int], test: [Int]) {
    let testCount = Int((Double(count) * testFraction).rounded())
    var order = Array(0..<count)
    var rng = RandomStream.derived(from: UInt64(seed), purpose: "train-test-split")
    rng.shuffle(&order)
    return (Array(order[testCount...]).sorted(), Array(order[..<testCount]).sorted())
  }
}
