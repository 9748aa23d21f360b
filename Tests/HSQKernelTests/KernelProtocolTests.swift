import Foundation
import HSQTestSupport
import Testing

/// The kernel driven by a real client: `Scripts/kernel_protocol.py` (jupyter_client's `KernelManager`)
/// checks every message type, a forged signature, an interrupt during `run --steps 100000000`,
/// restart and shutdown; this test installs the kernelspec and checks no kernel process survives.
@Suite(.serialized) struct KernelProtocolTests {
  @Test(.requires(Jupyter.prerequisite, Jupyter.isAvailable))
  func everyMessageTypeWithJupyterClient() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Jupyter.repl), "hsq-repl is not built at \(Jupyter.repl)")
    let folder = try Jupyter.scratch("kernel")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let data = folder + "/jupyter"
    let installed = try Jupyter.installKernel(dataDirectory: data)
    #expect(installed.status == 0, "\(installed.output)")
    let spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/kernels/hsq/kernel.json"))) as? [String: Any])
    #expect(spec["argv"] as? [String] == [URL(fileURLWithPath: Jupyter.repl).resolvingSymlinksInPath().path, "kernel", "--connection-file", "{connection_file}"])
    #expect(spec["language"] as? String == "hsq" && spec["interrupt_mode"] as? String == "message")

    let (status, output) = try Jupyter.run(executableOnPath("python3")!, [Jupyter.scripts + "/kernel_protocol.py"],
                                           environment: Jupyter.environment(dataDirectory: data), directory: folder)
    #expect(status == 0, "\(output)")
    #expect(!output.contains("FAIL"), "\(output)")
    let pids = output.split(separator: "\n").last { $0.hasPrefix("PIDS") }?.split(separator: " ").dropFirst().compactMap { pid_t($0) } ?? []
    #expect(pids.count == 2, "a kernel and its restart: \(output)")
    for pid in pids {
      #expect(kill(pid, 0) != 0, "kernel process \(pid) survived the test")
    }
  }
}
