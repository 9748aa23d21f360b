import Foundation

/// A Jupyter connection file: where the five sockets bind and the key messages are signed with.
public struct ConnectionInfo: Decodable, Sendable, Equatable {
  public var transport: String
  public var ip: String
  public var shellPort: Int
  public var iopubPort: Int
  public var stdinPort: Int
  public var controlPort: Int
  public var heartbeatPort: Int
  public var key: String
  public var signatureScheme: String

  enum CodingKeys: String, CodingKey {
    case transport, ip, key
    case shellPort = "shell_port", iopubPort = "iopub_port", stdinPort = "stdin_port"
    case controlPort = "control_port", heartbeatPort = "hb_port", signatureScheme = "signature_scheme"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    transport = try c.decodeIfPresent(String.self, forKey: .transport) ?? "tcp"
    ip = try c.decodeIfPresent(String.self, forKey: .ip) ?? "127.0.0.1"
    shellPort = try c.decode(Int.self, forKey: .shellPort)
    iopubPort = try c.decode(Int.self, forKey: .iopubPort)
    stdinPort = try c.decode(Int.self, forKey: .stdinPort)
    controlPort = try c.decode(Int.self, forKey: .controlPort)
    heartbeatPort = try c.decode(Int.self, forKey: .heartbeatPort)
    key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
    signatureScheme = try c.decodeIfPresent(String.self, forKey: .signatureScheme) ?? "hmac-sha256"
  }

  /// Reads and checks the connection file at `path`.
  ///
  /// - Throws: ``KernelError/connectionFile(path:problem:)`` when it cannot be read, is not a connection
  ///   file, or asks for a signature scheme other than `hmac-sha256`.
  public static func read(_ path: String) throws -> ConnectionInfo {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw KernelError.connectionFile(path: path, problem: "cannot read it; Jupyter passes the path as {connection_file}")
    }
    let info: ConnectionInfo
    do {
      info = try JSONDecoder().decode(ConnectionInfo.self, from: data)
    } catch {
      throw KernelError.connectionFile(path: path, problem: "it is not a Jupyter connection file (\(error))")
    }
    guard info.key.isEmpty || info.signatureScheme == "hmac-sha256" else {
      throw KernelError.connectionFile(path: path, problem: "signature scheme '\(info.signatureScheme)' is not supported; use hmac-sha256")
    }
    guard info.transport == "tcp" || info.transport == "ipc" else {
      throw KernelError.connectionFile(path: path, problem: "transport '\(info.transport)' is not supported; use tcp or ipc")
    }
    return info
  }

  /// The ZeroMQ endpoint of `port`: `tcp://IP:PORT` or `ipc://IP-PORT`.
  func address(port: Int) -> String {
    transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
  }
}

/// Why the kernel cannot start.
public enum KernelError: Error, CustomStringConvertible, Equatable {
  case connectionFile(path: String, problem: String)
  case transport(String)
  case install(String)

  public var description: String {
    switch self {
    case let .connectionFile(path, problem): return "connection file '\(path)': \(problem)."
    case let .transport(problem): return "\(problem)."
    case let .install(problem): return problem
    }
  }
}
