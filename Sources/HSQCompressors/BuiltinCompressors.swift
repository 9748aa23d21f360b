// The built-in compressors, one file each in this folder.
// `BuiltinListTests` fails when this list and the files disagree.

let builtinCompressorTypes: [any CompressorComponent.Type] = [
  IdentityCompressor.self,
  HSQCompressor.self,
  HSQUnbiasedCompressor.self,
  HSQResidualCompressor.self,
  HSQLogCompressor.self,
  FP16Compressor.self,
  QSGDCompressor.self,
  TernGradCompressor.self,
  SignSGDCompressor.self,
  ScaledSignCompressor.self,
  TopKCompressor.self,
  RandomKCompressor.self,
  NaturalCompressor.self,
]
