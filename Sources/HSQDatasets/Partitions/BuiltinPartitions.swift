// The built-in partitions, one file each in this folder.

let builtinPartitionTypes: [any PartitionerComponent.Type] = [
  IIDPartition.self,
  DirichletPartition.self,
  ShardsPartition.self,
]
