/// The edit distance between `a` and `b`: insertions, deletions, substitutions and transpositions
/// of adjacent characters each cost 1 (optimal string alignment), so `stpe` is one edit from `step`.
public func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var twoBack = [Int](repeating: 0, count: y.count + 1)
  var previous = Array(0...y.count)
  var current = [Int](repeating: 0, count: y.count + 1)
  for i in 1...x.count {
    current[0] = i
    for j in 1...y.count {
      let cost = x[i - 1] == y[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { current[j] = min(current[j], twoBack[j - 2] + 1) }
    }
    (twoBack, previous, current) = (previous, current, twoBack)
  }
  return previous[y.count]
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
///
/// The cut-off is a third of the longer word's length (at least 1, at most 3), as
/// swift-argument-parser and lldb do; a candidate that starts with `word` also matches.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
  var best: (String, Int)?
  for candidate in candidates {
    let d = candidate.hasPrefix(word) && !word.isEmpty ? 0 : editDistance(word.lowercased(), candidate.lowercased())
    if best == nil || d < best!.1 { best = (candidate, d) }
  }
  guard let (name, distance) = best else { return nil }
  let cutoff = min(3, max(1, max(word.count, name.count) / 3))
  return distance <= cutoff ? name : nil
}
