// swift-tools-version: 6.1
import PackageDescription

// A package of your own that depends on hsq, registers a compressor and a command in-process and
// starts the same `hsq-repl` with them:
//
//     swift run hsq-repl-custom          # then: describe block-sign, experiment … compressor=block-sign:block=16,
//                                        #       error-sweep block-sign:block=16 --d 16,256
let package = Package(
  name: "CustomCompressor",
  dependencies: [
    .package(name: "hsq", path: "../.."),
  ],
  targets: [
    .executableTarget(
      name: "hsq-repl-custom",
      dependencies: [
        .product(name: "HSQ", package: "hsq"),
        .product(name: "HSQShell", package: "hsq"),
      ]),
  ]
)
