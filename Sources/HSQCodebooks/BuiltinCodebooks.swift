// The built-in codebook constructions, one file each in this folder.

let builtinCodebookTypes: [any CodebookConstruction.Type] = [
  GaussianCodebook.self,
  OrthogonalCodebook.self,
  KMeansCodebook.self,
  CrossPolytopeCodebook.self,
  HadamardCodebook.self,
  FileCodebook.self,
]
