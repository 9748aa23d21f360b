// swift-tools-version: 6.1
import PackageDescription

// MARK: - Shared settings

/// Settings every Swift target shares: Swift 6 language mode, strict memory safety off.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "hsq",
  platforms: [.macOS(.v13)],
  // MARK: - Public API
  products: [
    .library(name: "HSQ", targets: ["HSQ"]),
    /// The shell itself, for packages that register their own components and start `hsq-repl` with them.
    .library(name: "HSQShell", targets: ["HSQShell"]),
    .executable(name: "hsq-repl", targets: ["hsq-repl"]),
    .executable(name: "hsq-bench", targets: ["hsq-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // MARK: - System libraries
    .systemLibrary(
      name: "CEditLine", pkgConfig: "libedit",
      providers: [.apt(["libedit-dev"])]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),

    // MARK: - Implementation
    /// Hot loops in C with per-function CPU targets and run-time dispatch,
    /// so library targets carry no unsafe flags.
    .target(name: "CKernels"),
    .target(name: "HSQCore", dependencies: ["CKernels"], swiftSettings: swiftSettings),
    .target(name: "HSQCodebooks", dependencies: ["HSQCore", "CKernels"], swiftSettings: swiftSettings),
    .target(
      name: "HSQCompressors", dependencies: ["HSQCore", "HSQCodebooks", "CKernels"],
      swiftSettings: swiftSettings),
    .target(name: "HSQDatasets", dependencies: ["HSQCore", "CZlib"], swiftSettings: swiftSettings),
    .target(name: "HSQModels", dependencies: ["HSQCore", "COpenBLAS"], swiftSettings: swiftSettings),
    .target(
      name: "HSQExperiments",
      dependencies: ["HSQCore", "HSQCodebooks", "HSQCompressors", "HSQDatasets", "HSQModels"],
      swiftSettings: swiftSettings),
    .target(
      name: "HSQ",
      dependencies: ["HSQCore", "HSQCodebooks", "HSQCompressors", "HSQDatasets", "HSQModels", "HSQExperiments"],
      swiftSettings: swiftSettings),
    .target(name: "HSQCommands", dependencies: ["HSQ"], swiftSettings: swiftSettings),
    /// Markdown notebooks of ```hsq blocks: run, check, export to Jupyter (no terminal code).
    .target(name: "HSQNotebook", dependencies: ["HSQCommands"], swiftSettings: swiftSettings),
    /// The SIGINT flag and handler in C (a signal handler may touch only a sig_atomic_t).
    .target(name: "CInterrupt"),
    .target(name: "HSQLineEditor", dependencies: ["CEditLine", "CInterrupt"], swiftSettings: swiftSettings),
    .executableTarget(
      name: "hsq-line-editor-demo", dependencies: ["HSQLineEditor"], swiftSettings: swiftSettings),
    .target(
      name: "HSQShell",
      dependencies: ["HSQCommands", "HSQNotebook", "HSQLineEditor", "CEditLine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: swiftSettings),
    .executableTarget(name: "hsq-repl", dependencies: ["HSQShell"], swiftSettings: swiftSettings),
    .executableTarget(
      name: "hsq-bench",
      dependencies: ["HSQ", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: swiftSettings),

    // MARK: - Tests
    .testTarget(name: "HSQCoreTests", dependencies: ["HSQCore"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQCodebooksTests", dependencies: ["HSQCodebooks"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQCompressorsTests", dependencies: ["HSQCompressors"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQDatasetsTests", dependencies: ["HSQDatasets"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQModelsTests", dependencies: ["HSQModels"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQLineEditorTests", dependencies: ["HSQLineEditor"], swiftSettings: swiftSettings),
    .testTarget(
      name: "HSQExperimentsTests", dependencies: ["HSQExperiments", "HSQ"], exclude: ["Plots/__Snapshots__"],
      swiftSettings: swiftSettings),
    .testTarget(name: "HSQCommandsTests", dependencies: ["HSQCommands"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQNotebookTests", dependencies: ["HSQNotebook"], swiftSettings: swiftSettings),
  ]
)
