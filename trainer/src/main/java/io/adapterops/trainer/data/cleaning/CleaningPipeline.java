package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.DatasetVersion;
import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.List;

/**
 * Cleans validated rows into an immutable {@link DatasetVersion}. Order matters: text is normalised
 * first so every later step sees one spelling; PII is redacted before dedup, so rows differing only
 * in an e-mail address collapse; balancing comes last, so its copies are not deduplicated away.
 * Rows in memory are cleaned here; a file too large for memory goes through {@link FileCleaner},
 * which runs the same steps as the rows stream past.
 */
public final class CleaningPipeline {
    private final CleaningConfig config;
    private final TokenCounter tokens;

    public CleaningPipeline(CleaningConfig config) {
        this(config, new ApproximateTokenCounter());
    }

    public CleaningPipeline(CleaningConfig config, TokenCounter tokens) {
        this.config = config;
        this.tokens = tokens;
    }

    public CleaningResult clean(List<Example> input) {
        List<Example> out = new ArrayList<>();
        try (KeptTexts texts = KeptTexts.inMemory()) {
            CleaningRun run = new CleaningRun(config, tokens, texts, (row, line) -> out.add(row), rows -> { });
            input.forEach(run::accept);
            run.end();
            DatasetVersion version = DatasetVersion.of(out);
            return new CleaningResult(version, run.report(version.id()));
        }
    }
}
