import ArgumentParser

/// Speed and memory benchmarks of hsq, side by side with a NumPy or PyTorch peer.
@main
struct HSQBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hsq-bench",
    abstract: "Speed and memory benchmarks of hsq, side by side with a NumPy or PyTorch peer.",
    discussion: """
      Each subcommand takes the same flags as the peers in bench/peers (numpy_peer.py, torch_peer.py) \
      and prints one JSON line per measurement with the same keys. With --peer PATH it first runs the \
      peer with the same flags in the same run and then prints a ratio line. Build with -c release.
      """,
    subcommands: [CompressBenchmark.self, TrainBenchmark.self, LinearAlgebraBenchmark.self])
}
