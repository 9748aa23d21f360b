import HSQCompressors

extension Experiment {
  /// Builds the uplink and downlink compressors again from the registry, keeping everything else.
  ///
  /// After `reload` replaced a compressor's code, an experiment still holds the instance
  /// it was built with (its settings are unchanged, so `set` would reuse it); this makes it
  /// use the registry's current code from the next step on, and logs the change as an event.
  public func rebindCompressors() throws {
    var previous = config
    previous.compressor = ""
    previous.downlink = ""
    pipeline = try Pipeline(config, reuse: pipeline, reuseOld: previous)
    // The aggregator and server optimizer are built afresh too (an add-on's may have been reloaded).
    strategy = try ServerStrategy(config)
    events.append(ExperimentEvent(step: stepCount, text: "compressor: rebound \(config.compressor) to the registry's current code"))
  }
}
