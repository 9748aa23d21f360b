// The built-in dataset sources, one file each in this folder.

let builtinDatasetTypes: [any DatasetSource.Type] = [
  FashionMNISTDataset.self,
  IDXDataset.self,
  LibSVMDataset.self,
  CSVDataset.self,
  LinearDataset.self,
  LogisticDataset.self,
  GaussianMixtureDataset.self,
]
