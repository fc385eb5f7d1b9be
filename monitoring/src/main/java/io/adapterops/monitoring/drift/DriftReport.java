package io.adapterops.monitoring.drift;

import java.util.List;

/** Every feature's drift verdict for one live window against one reference profile. */
public record DriftReport(long referenceRows, long liveRows, List<FeatureDrift> features) {

    public DriftReport {
        features = List.copyOf(features);
    }

    public List<FeatureDrift> drifted() {
        return features.stream().filter(FeatureDrift::drifted).toList();
    }
}
