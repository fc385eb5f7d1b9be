package io.adapterops.trainer.data.cleaning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.List;

/** Everything the pipeline did to a dataset, step by step, and the version it produced. */
public record CleaningReport(String datasetVersion, int rowsIn, int rowsOut, List<StepReport> steps,
                             LengthHistogram lengthsBefore, LengthHistogram lengthsAfter,
                             RefusalStats refusals, List<String> warnings) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public CleaningReport {
        steps = List.copyOf(steps);
        warnings = List.copyOf(warnings);
    }

    public StepReport step(String name) {
        return steps.stream().filter(s -> s.step().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step " + name));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
