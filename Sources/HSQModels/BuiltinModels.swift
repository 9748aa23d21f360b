// The built-in models, one file each in this folder.

let builtinModelTypes: [any ModelComponent.Type] = [
  LeastSquaresModel.self,
  LogisticModel.self,
  SoftmaxModel.self,
  MLPModel.self,
  CNNModel.self,
]
