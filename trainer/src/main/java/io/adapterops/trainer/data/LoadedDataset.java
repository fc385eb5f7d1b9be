package io.adapterops.trainer.data;

import java.util.List;

/** The rows of an upload and its report; {@code examples} is empty whenever the upload was rejected. */
public record LoadedDataset(List<Example> examples, ValidationReport report) {

    public LoadedDataset {
        examples = List.copyOf(examples);
    }
}
