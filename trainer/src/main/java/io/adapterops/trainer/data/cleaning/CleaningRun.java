package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.CanonicalJsonl;
import io.adapterops.trainer.data.ContentHash;
import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * One pass of the pipeline over rows as they stream in, a chunk at a time. For each chunk, the
 * stateless work (normalise, redact, block, hash, sign, count tokens) runs on all cores; then, in
 * row order, the stateful steps decide (exact and near duplicates, length) and kept rows go to the
 * sink at once. What stays in memory is per-row hashes and signatures, not rows, except when
 * balancing is on: it needs every row of a category before it can sample, so it holds the rows.
 * Results are those of running each step over the whole list in turn: every step keeps the first
 * of equal rows, and chunks are decided in order.
 */
final class CleaningRun {
    private static final int CHUNK = 4096;

    private final TokenCounter tokens;
    private final List<RowStep> rowSteps;
    private final ExactDedupStep exact = new ExactDedupStep();
    private final NearDedupStep near;
    private final LengthStep length;
    private final BalanceStep balance;
    private final RefusalAudit refusals;
    private final Placeholders placeholders = new Placeholders();
    private final LengthHistogram.Builder before = new LengthHistogram.Builder();
    private final LengthHistogram.Builder after = new LengthHistogram.Builder();
    /** One per step, in pipeline order: the row steps, exact, near, length, then balance if on. */
    private final StepTally[] tallies;
    private final int[] rowsIn;
    private final int[] rowsOut;
    private final BiConsumer<Example, String> sink;
    private final IntConsumer chunkDone;
    private final List<Example> chunk = new ArrayList<>(CHUNK);
    private final List<Example> toBalance = new ArrayList<>();
    private int rowsSeen;

    /**
     * @param sink      receives the cleaned rows in order, each with its {@link CanonicalJsonl} line
     * @param chunkDone told the rows seen so far after each chunk (it may throw to stop the run)
     */
    CleaningRun(CleaningConfig config, TokenCounter tokens, KeptTexts texts, BiConsumer<Example, String> sink,
                IntConsumer chunkDone) {
        this.tokens = tokens;
        this.rowSteps = List.of(new NormalizeStep(), new PiiStep(config.piiKinds(), config.piiAction()),
                new BlocklistStep(config.blocklist(), config.blocklistAction()));
        this.near = new NearDedupStep(config.nearDupThreshold(), config.shingleMode(), config.shingleSize(),
                config.minHashPermutations(), config.seed(), texts);
        this.length = new LengthStep(config.minTokens(), config.maxTokens());
        this.balance = config.balanceTarget() > 0 ? new BalanceStep(config.balanceTarget(), config.seed()) : null;
        this.refusals = new RefusalAudit(config.refusalPattern(), config.harmfulPromptPattern());
        int steps = rowSteps.size() + 3 + (balance == null ? 0 : 1);
        this.tallies = new StepTally[steps];
        for (int i = 0; i < steps; i++) {
            tallies[i] = new StepTally();
        }
        this.rowsIn = new int[steps];
        this.rowsOut = new int[steps];
        this.sink = sink;
        this.chunkDone = chunkDone;
    }

    void accept(Example row) {
        chunk.add(row);
        if (chunk.size() == CHUNK) {
            decide();
        }
    }

    /**
     * A row after the stateless steps, with all that later steps and the report need of it; {@code row}
     * is null when step {@code droppedAt} removed it.
     */
    private record Prepared(Example row, int droppedAt, int tokensIn, String text, byte[] sha256,
                            NearDedupStep.Signed signed, int tokensOut, int refusalFlags, String line) {
    }

    private Prepared prepare(Example input, StepTally[] t) {
        int tokensIn = tokens.count(input.text());
        Example row = input;
        for (int j = 0; j < rowSteps.size(); j++) {
            row = rowSteps.get(j).apply(row, t[j]);
            if (row == null) {
                return new Prepared(null, j, tokensIn, null, null, null, 0, 0, null);
            }
        }
        String text = row.text();
        return new Prepared(row, -1, tokensIn, text, ContentHash.of(text), near.sign(text), tokens.count(text),
                refusals.check(row), CanonicalJsonl.line(row));
    }

    private void decide() {
        int n = chunk.size();
        int slices = Math.max(1, Math.min(ForkJoinPool.getCommonPoolParallelism() + 1, n / 64));
        Prepared[] prepared = new Prepared[n];
        StepTally[][] sliceTallies = new StepTally[slices][rowSteps.size()];
        IntStream.range(0, slices).parallel().forEach(s -> {
            StepTally[] t = sliceTallies[s];
            for (int j = 0; j < t.length; j++) {
                t[j] = new StepTally();
            }
            for (int i = s * n / slices; i < (s + 1) * n / slices; i++) {
                prepared[i] = prepare(chunk.get(i), t);
            }
        });
        for (StepTally[] t : sliceTallies) {
            for (int j = 0; j < t.length; j++) {
                tallies[j].add(t[j]);
            }
        }
        int e = rowSteps.size();
        for (Prepared p : prepared) {
            before.add(p.tokensIn());
            for (int j = 0; j < e; j++) {
                if (p.droppedAt() < 0 || p.droppedAt() >= j) {
                    rowsIn[j]++;
                }
                if (p.droppedAt() < 0 || p.droppedAt() > j) {
                    rowsOut[j]++;
                }
            }
            if (p.row() == null
                    || !passes(e, exact.keep(p.sha256(), p.row(), tallies[e]))
                    || !passes(e + 1, near.keep(p.signed(), p.text(), tallies[e + 1]))
                    || !passes(e + 2, length.keep(p.tokensOut(), tallies[e + 2]))) {
                continue;
            }
            if (balance != null) {
                toBalance.add(p.row());
            } else {
                emit(p.row(), p.text(), p.tokensOut(), p.refusalFlags(), p.line());
            }
        }
        rowsSeen += n;
        chunk.clear();
        chunkDone.accept(rowsSeen);
    }

    private boolean passes(int step, boolean kept) {
        rowsIn[step]++;
        rowsOut[step] += kept ? 1 : 0;
        return kept;
    }

    private void emit(Example row, String text, int rowTokens, int refusalFlags, String line) {
        after.add(rowTokens);
        refusals.add(refusalFlags);
        placeholders.add(text);
        sink.accept(row, line);
    }

    /** Decides the last chunk and balances; every cleaned row has reached the sink when it returns. */
    void end() {
        if (!chunk.isEmpty()) {
            decide();
        }
        if (balance != null) {
            int b = tallies.length - 1;
            List<Example> out = balance.apply(toBalance, tallies[b]);
            rowsIn[b] = toBalance.size();
            rowsOut[b] = out.size();
            for (Example row : out) {
                String text = row.text();
                emit(row, text, tokens.count(text), refusals.check(row), CanonicalJsonl.line(row));
            }
            toBalance.clear();
        }
    }

    /** The report, once {@link #end} has run and the sink has named the version. */
    CleaningReport report(String versionId) {
        List<StepReport> reports = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        exact.finish(tallies[rowSteps.size()]);
        near.finish(tallies[rowSteps.size() + 1]);
        List<String> names = new ArrayList<>(rowSteps.stream().map(RowStep::name).toList());
        names.addAll(List.of(exact.name(), near.name(), length.name()));
        if (balance != null) {
            names.add(balance.name());
        }
        for (int i = 0; i < tallies.length; i++) {
            reports.add(tallies[i].report(names.get(i), rowsIn[i], rowsOut[i]));
            warnings.addAll(tallies[i].warnings());
        }
        RefusalStats refusalStats = refusals.stats();
        placeholders.warning().ifPresent(warnings::add);
        if (refusalStats.warning() != null) {
            warnings.add(refusalStats.warning());
        }
        int out = after.build().rows();
        if (out == 0) {
            warnings.add("no rows left after cleaning");
        }
        return new CleaningReport(versionId, rowsSeen, out, reports, before.build(), after.build(), refusalStats,
                warnings);
    }
}
