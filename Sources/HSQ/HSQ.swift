// The umbrella module: `import HSQ` brings in every public part of hsq.
@_exported import HSQCore
@_exported import HSQCodebooks
@_exported import HSQCompressors
@_exported import HSQDatasets
@_exported import HSQModels
@_exported import HSQExperiments
@_exported import HSQPlots
