// swift-tools-version: 6.1
import PackageDescription

// MARK: - Shared settings

/// Settings every Swift target shares: Swift 6 language mode, strict memory safety off.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
]

/// Generates the module's built-in component lists from its source files.
let registerBuiltins: [Target.PluginUsage] = [.plugin(name: "RegisterBuiltins")]

let package = Package(
  name: "hsq",
  platforms: [.macOS(.v15)],
  // MARK: - Public API
  products: [
    .library(name: "HSQ", targets: ["HSQ"]),
    /// The shell itself, for packages that register their own components and commands and start `hsq-repl` with them.
    .library(name: "HSQShell", targets: ["HSQShell"]),
    .executable(name: "hsq-repl", targets: ["hsq-repl"]),
    .executable(name: "hsq-bench", targets: ["hsq-bench"]),
    /// The shell on rank 0 of an Open MPI job, experiment workers on the other ranks (`mpirun -n 9 hsq-mpi`).
    .executable(name: "hsq-mpi", targets: ["hsq-mpi"]),
    /// The compressor contract as runnable checks, for the tests of compressors written outside hsq.
    .library(name: "HSQContract", targets: ["HSQContract"]),
    /// Writes a documented compressor template and its contract test (the command plugin runs it).
    .executable(name: "hsq-new-compressor", targets: ["hsq-new-compressor"]),
    .plugin(name: "HSQNewCompressor", targets: ["HSQNewCompressor"]),
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
    /// Open MPI, with its predefined handles (casts of global addresses) wrapped as inline functions.
    .systemLibrary(
      name: "CMPI", pkgConfig: "ompi-c",
      providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
    /// The Jupyter kernel's transport (ZeroMQ) and message signatures (HMAC-SHA256 from OpenSSL's libcrypto).
    .systemLibrary(
      name: "CZMQ", pkgConfig: "libzmq",
      providers: [.apt(["libzmq3-dev"])]),
    .systemLibrary(
      name: "CLibCrypto", pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]),

    // MARK: - Implementation
    /// Hot loops in C with per-function CPU targets and run-time dispatch,
    /// so library targets carry no unsafe flags.
    .target(name: "CKernels"),
    .target(name: "HSQCore", dependencies: ["CKernels", "COpenBLAS", "CSpawn"], swiftSettings: swiftSettings),
    .target(
      name: "HSQCodebooks", dependencies: ["HSQCore", "CKernels"], swiftSettings: swiftSettings,
      plugins: registerBuiltins),
    .target(
      name: "HSQCompressors", dependencies: ["HSQCore", "HSQCodebooks", "CKernels"],
      swiftSettings: swiftSettings, plugins: registerBuiltins),
    .target(
      name: "HSQDatasets", dependencies: ["HSQCore", "CZlib"], swiftSettings: swiftSettings,
      plugins: registerBuiltins),
    .target(
      name: "HSQModels", dependencies: ["HSQCore", "COpenBLAS"], swiftSettings: swiftSettings,
      plugins: registerBuiltins),
    .target(
      name: "HSQExperiments",
      dependencies: ["CKernels", "HSQCore", "HSQCodebooks", "HSQCompressors", "HSQDatasets", "HSQModels"],
      swiftSettings: swiftSettings, plugins: registerBuiltins),
    /// Figures drawn from records: terminal (braille) and SVG plots; the engine does not depend on them.
    .target(name: "HSQPlots", dependencies: ["HSQCore", "HSQExperiments"], swiftSettings: swiftSettings),
    .target(
      name: "HSQ",
      dependencies: ["HSQCore", "HSQCodebooks", "HSQCompressors", "HSQDatasets", "HSQModels", "HSQExperiments", "HSQPlots"],
      swiftSettings: swiftSettings),
    .target(name: "HSQContract", dependencies: ["HSQCore", "HSQCompressors", "HSQExperiments"], swiftSettings: swiftSettings),
    .target(name: "HSQCommands", dependencies: ["HSQ", "HSQContract"], swiftSettings: swiftSettings, plugins: registerBuiltins),
    /// Markdown notebooks of ```hsq blocks: run, check, export to Jupyter (no terminal code).
    .target(name: "HSQNotebook", dependencies: ["HSQCommands"], swiftSettings: swiftSettings),
    /// The SIGINT flag and handler in C (a signal handler may touch only a sig_atomic_t).
    .target(name: "CInterrupt"),
    /// Starting programs without leaking descriptors into them (posix_spawn, closefrom).
    .target(name: "CSpawn"),
    .target(name: "HSQLineEditor", dependencies: ["CEditLine", "CInterrupt"], swiftSettings: swiftSettings),
    .executableTarget(
      name: "hsq-line-editor-demo", dependencies: ["HSQLineEditor"], swiftSettings: swiftSettings),
    /// The Jupyter kernel: another front end of the command engine, speaking the messaging protocol over ZeroMQ.
    .target(name: "HSQKernel", dependencies: ["HSQCommands", "HSQNotebook", "CZMQ", "CLibCrypto"], swiftSettings: swiftSettings),
    .target(
      name: "HSQShell",
      dependencies: ["HSQCommands", "HSQNotebook", "HSQKernel", "HSQLineEditor", "CEditLine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: swiftSettings),
    /// Exports hsq's symbols so compressors that `load` compiles bind to this one copy of the registries.
    .executableTarget(
      name: "hsq-repl", dependencies: ["HSQShell"], swiftSettings: swiftSettings,
      linkerSettings: [
        .unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux])),
        .unsafeFlags(["-Xlinker", "-export_dynamic"], .when(platforms: [.macOS])),
      ]),
    /// MPI as typed byte-buffer operations with traffic counts; the core library stays free of MPI.
    .target(name: "HSQMPI", dependencies: ["CMPI", "HSQCore", "HSQExperiments"], swiftSettings: swiftSettings),
    /// Exports hsq's symbols like hsq-repl, so `load`ed compressors bind to this one copy of the registries.
    .executableTarget(
      name: "hsq-mpi", dependencies: ["HSQMPI", "HSQShell", "HSQExperiments"], swiftSettings: swiftSettings,
      linkerSettings: [
        .unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux])),
        .unsafeFlags(["-Xlinker", "-export_dynamic"], .when(platforms: [.macOS])),
      ]),
    .executableTarget(
      name: "hsq-new-compressor", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: swiftSettings),
    .plugin(
      name: "HSQNewCompressor",
      capability: .command(
        intent: .custom(verb: "hsq-new-compressor", description: "Writes a documented compressor template and its contract test."),
        permissions: [.writeToPackageDirectory(reason: "Writes the new compressor's source and test files.")]),
      dependencies: ["hsq-new-compressor"]),
    .executableTarget(
      name: "hsq-bench",
      dependencies: ["HSQ", "HSQCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: swiftSettings),

    // MARK: - Build tools
    .executableTarget(name: "hsq-registry-gen", swiftSettings: swiftSettings),
    .plugin(name: "RegisterBuiltins", capability: .buildTool(), dependencies: ["hsq-registry-gen"]),

    // MARK: - Tests
    /// Golden-file snapshots and prerequisite checks shared by the test targets.
    .target(name: "HSQTestSupport", dependencies: ["HSQCore"], path: "Tests/HSQTestSupport", swiftSettings: swiftSettings),
    .testTarget(name: "HSQCoreTests", dependencies: ["HSQCore", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQCodebooksTests", dependencies: ["HSQCodebooks", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQCompressorsTests", dependencies: ["HSQCompressors", "HSQContract"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQDatasetsTests", dependencies: ["HSQDatasets", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQModelsTests", dependencies: ["HSQModels", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQLineEditorTests", dependencies: ["HSQLineEditor"], swiftSettings: swiftSettings),
    .testTarget(
      name: "HSQExperimentsTests", dependencies: ["HSQExperiments", "HSQ", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(
      name: "HSQPlotsTests", dependencies: ["HSQPlots", "HSQTestSupport", "CZlib"], exclude: ["__Snapshots__"], swiftSettings: swiftSettings),
    .testTarget(
      name: "HSQCommandsTests", dependencies: ["HSQCommands", "HSQTestSupport"], exclude: ["__Snapshots__"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "RegistryGenTests", dependencies: ["hsq-registry-gen", "HSQ"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQNotebookTests", dependencies: ["HSQNotebook", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQMPITests", dependencies: ["HSQMPI", "HSQTestSupport"], swiftSettings: swiftSettings),
    /// The interactive shell in a real terminal (tmux drives hsq-repl and the line-editor demo).
    .testTarget(name: "HSQShellTests", dependencies: ["HSQShell", "HSQTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "HSQKernelTests", dependencies: ["HSQKernel", "HSQTestSupport"], exclude: ["Scripts"], swiftSettings: swiftSettings),
  ]
)
