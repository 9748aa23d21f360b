// The built-in compressors, one file each in this folder.
// `BuiltinListTests` fails when this list and the files disagree.

let builtinCompressorTypes: [any CompressorComponent.Type] = [
  IdentityCompressor.self,
]
