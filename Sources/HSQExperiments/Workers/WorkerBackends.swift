import HSQCore
import Synchronization

/// The worker backends an experiment's `backend` setting can name.
///
/// `threads` (this process) is always there; a front end registers the others it can run, e.g.
/// `hsq-mpi` registers `mpi` (the ranks of its job). Naming one that this process has not registered
/// is an error that says where it runs.
public enum WorkerBackends {
  /// Every name the `backend` setting accepts, whether or not this process can run it.
  public static let knownNames = ["threads", "mpi"]

  private static let makers = Mutex<[String: @Sendable () throws -> any WorkerBackend]>(["threads": { ThreadWorkerBackend() }])

  /// Makes `name` available to `backend=`; a later registration of the same name replaces it.
  public static func register(_ name: String, _ make: @escaping @Sendable () throws -> any WorkerBackend) {
    makers.withLock { $0[name] = make }
  }

  /// Whether this process can run `name` (`nil`: threads).
  public static func isAvailable(_ name: String?) -> Bool { makers.withLock { $0[name ?? "threads"] != nil } }

  /// A new backend of kind `name` (`nil`: threads).
  ///
  /// - Throws: ``HSQError/invalidParameter(component:parameter:problem:)`` when this process cannot run it.
  public static func make(_ name: String?) throws -> any WorkerBackend {
    let name = name ?? "threads"
    guard let make = makers.withLock({ $0[name] }) else {
      throw HSQError.invalidParameter(
        component: "experiment", parameter: "backend",
        problem: "'\(name)' runs only in hsq-mpi started by Open MPI, e.g. 'mpirun -n 3 hsq-mpi' (apt-get install openmpi-bin); here use backend=threads.")
    }
    return try make()
  }
}

/// What one step put on a real wire, and where its time went (a transport backend's, e.g. MPI's).
///
/// Bytes are those the server handed to the transport and took from it in the step's exchanges
/// (round, commit); `payloadBytesUp` is the compressors' payloads, `diagnosticBytesUp` the raw-gradient
/// frames the gradient-norm column needs, and the rest of `bytesUp` is framing and per-layer statistics.
public struct WireRecord: Codable, Sendable, Hashable {
  /// Bytes the server sent (a broadcast counts once per receiving process).
  public var bytesDown: Int
  /// Bytes the server received.
  public var bytesUp: Int
  /// Of ``bytesUp``: the payload bytes the compressors wrote.
  public var payloadBytesUp: Int
  /// Of ``bytesUp``: the diagnostics frames (raw gradients for the gradient norm), when sent.
  public var diagnosticBytesUp: Int
  /// Processes that hosted the step's workers.
  public var processes: Int
  /// The server's wall time in the step's exchanges (sending, waiting, receiving).
  public var exchangeSeconds: Double
  /// The longest a worker process spent on the step's commands (its workers' compute and encode).
  public var slowestWorkerSeconds: Double
  /// The server's time decoding the payloads and aggregating (and the downlink, when there is one).
  public var serverSeconds: Double

  public init(bytesDown: Int, bytesUp: Int, payloadBytesUp: Int, diagnosticBytesUp: Int, processes: Int,
              exchangeSeconds: Double, slowestWorkerSeconds: Double, serverSeconds: Double = 0) {
    self.bytesDown = bytesDown
    self.bytesUp = bytesUp
    self.payloadBytesUp = payloadBytesUp
    self.diagnosticBytesUp = diagnosticBytesUp
    self.processes = processes
    self.exchangeSeconds = exchangeSeconds
    self.slowestWorkerSeconds = slowestWorkerSeconds
    self.serverSeconds = serverSeconds
  }

  /// The time the server waited on the wire rather than on the slowest worker process.
  public var communicateSeconds: Double { max(0, exchangeSeconds - slowestWorkerSeconds) }
}

extension WorkerBackend {
  /// In-process backends put nothing on a wire.
  public func takeWireRecord() -> WireRecord? { nil }
}
