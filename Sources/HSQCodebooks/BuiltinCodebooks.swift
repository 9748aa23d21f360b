// The built-in codebook constructions, one file each in this folder.

let builtinCodebookTypes: [any CodebookConstruction.Type] = [
]
