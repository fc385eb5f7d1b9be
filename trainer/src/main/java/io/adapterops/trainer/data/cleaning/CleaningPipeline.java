package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.DatasetVersion;
import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.List;

/**
 * Cleans validated rows into an immutable {@link DatasetVersion}. Order matters: text is normalised
 * first so every later step sees one spelling; PII is redacted before dedup, so rows differing only
 * in an e-mail address collapse; balancing comes last, so its copies are not deduplicated away.
 */
public final class CleaningPipeline {
    private final CleaningConfig config;
    private final TokenCounter tokens;
    private final List<CleaningStep> steps;

    public CleaningPipeline(CleaningConfig config) {
        this(config, new ApproximateTokenCounter());
    }

    public CleaningPipeline(CleaningConfig config, TokenCounter tokens) {
        this.config = config;
        this.tokens = tokens;
        List<CleaningStep> s = new ArrayList<>(List.of(
                new NormalizeStep(),
                new PiiStep(config.piiKinds(), config.piiAction()),
                new BlocklistStep(config.blocklist(), config.blocklistAction()),
                new ExactDedupStep(),
                new NearDedupStep(config.nearDupThreshold(), config.shingleMode(), config.shingleSize(),
                        config.minHashPermutations(), config.seed()),
                new LengthStep(tokens, config.minTokens(), config.maxTokens())));
        if (config.balanceTarget() > 0) {
            s.add(new BalanceStep(config.balanceTarget(), config.seed()));
        }
        this.steps = List.copyOf(s);
    }

    public CleaningResult clean(List<Example> input) {
        return clean(input, CleaningProgress.NONE);
    }

    public CleaningResult clean(List<Example> input, CleaningProgress progress) {
        List<StepReport> reports = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Example> rows = input;
        for (CleaningStep step : steps) {
            progress.started(step.name(), reports.size(), steps.size() + 1);
            StepTally tally = new StepTally();
            List<Example> out = step.apply(rows, tally);
            reports.add(tally.report(step.name(), rows.size(), out.size()));
            warnings.addAll(tally.warnings());
            rows = out;
        }
        progress.started("report", steps.size(), steps.size() + 1);
        DatasetVersion version = DatasetVersion.of(rows);
        RefusalStats refusals = new RefusalAudit(config.refusalPattern(), config.harmfulPromptPattern()).audit(rows);
        Placeholders.warning(rows).ifPresent(warnings::add);
        if (refusals.warning() != null) {
            warnings.add(refusals.warning());
        }
        if (rows.isEmpty()) {
            warnings.add("no rows left after cleaning");
        }
        CleaningReport report = new CleaningReport(version.id(), input.size(), rows.size(), reports,
                LengthHistogram.of(input, tokens), LengthHistogram.of(rows, tokens), refusals, warnings);
        return new CleaningResult(version, report);
    }
}
