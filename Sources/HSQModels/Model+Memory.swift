import HSQCore

extension Model {
  /// Each dense (2-D) weight's output width, twice: the activations and the deltas of the backward pass.
  public var workspaceFloatsPerExample: Int {
    2 * layers.reduce(0) { $0 + ($1.shape.count == 2 ? $1.shape[1] : 0) } + input.featureCount
  }

  /// The memory of one copy of the parameters (Float32), with overflow-checked arithmetic.
  public var parameterMemory: MemoryEstimate {
    layers.reduce(MemoryEstimate.zero) { total, layer in
      total + layer.shape.reduce(MemoryEstimate.floats()) { product, n in n * product }
    }
  }

  /// Throws unless one copy of the parameters fits the ``MemoryBudget``.
  func checkMemory() throws {
    let memory = parameterMemory
    try MemoryBudget.current.check(
      memory, for: "The model '\(spec)'", detail: memory.bytes.map { "\($0 / 4) parameters as Float32" } ?? "parameters as Float32",
      fix: "Use smaller or fewer layers")
  }
}
