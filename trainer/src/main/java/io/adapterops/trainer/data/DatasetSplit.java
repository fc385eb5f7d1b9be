package io.adapterops.trainer.data;

import java.util.List;

public record DatasetSplit(List<Example> train, List<Example> validation) {

    public DatasetSplit {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
