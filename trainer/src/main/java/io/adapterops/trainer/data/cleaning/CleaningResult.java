package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.DatasetVersion;

public record CleaningResult(DatasetVersion version, CleaningReport report) {
}
