import HSQCore
import HSQDatasets
import Testing

@Suite("registries")
struct RegistryTests {
  @Test("The built-in datasets and partitions are registered with their docs")
  func builtins() throws {
    #expect(Set(Datasets.registry.names) == ["fashion-mnist", "idx", "libsvm", "csv", "linear", "logistic", "gaussian-mixture"])
    #expect(Set(Partitions.registry.names) == ["iid", "dirichlet", "shards"])
    for info in Datasets.registry.infos + Partitions.registry.infos {
      #expect(!info.summary.isEmpty && !info.doc.isEmpty, "\(info.name)")
      #expect(info.summary.hasSuffix("."), "\(info.name)")
    }
  }

  @Test("Every synthetic dataset has the promised shape and task", arguments: ["linear", "logistic", "gaussian-mixture"])
  func syntheticShapes(name: String) throws {
    let data = try Datasets.load(name)
    #expect(data.name == (try Datasets.parameters(name)).canonical)
    #expect(data.train.count == 1024 && data.test.count == 256)
    #expect(data.featureShape == [data.train.featureCount])
    switch data.task {
    case .regression: #expect(data.train.targets.count == 1024 && data.classCount == 0)
    case .binary, .multiclass: #expect(data.train.labels.count == 1024 && data.classCount >= 2)
    }
  }

  @Test("Unknown names and parameters get suggestions; duplicates are refused")
  func badNames() throws {
    let unknown = #expect(throws: HSQError.self) { _ = try Datasets.load("lineer") }
    #expect(unknown?.description.contains("Did you mean 'linear'?") == true)
    let parameter = #expect(throws: HSQError.self) { _ = try Datasets.load("linear:conditon=10") }
    #expect(parameter?.description.contains("Did you mean 'condition'?") == true)
    #expect(throws: HSQError.duplicateName(kind: "dataset", name: "linear")) { try Datasets.register(LinearDataset.self) }
    #expect(throws: HSQError.duplicateName(kind: "partition", name: "iid")) { try Partitions.register(IIDPartition.self) }
  }
}
