package io.adapterops.service.evaluation;

import io.adapterops.evaluator.suite.Suite;
import io.adapterops.evaluator.suite.SuiteFormatException;
import io.adapterops.evaluator.suite.SuiteLoader;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.web.ApiException;
import jakarta.inject.Singleton;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Suites by name: a user's file {@code <data-dir>/suites/<name>.jsonl} first, else one shipped with
 * the evaluator ({@code red-team}, {@code canary-support-bot}, …). Loading checks every row, so a
 * broken or empty suite is refused before any run is stored.
 */
@Singleton
public class SuiteCatalog {
    private final Path dir;

    public SuiteCatalog(ModelStore store) {
        this.dir = store.dataDir().resolve("suites");
    }

    /** Whether a suite of this name exists (the user's file or a shipped one); loading may still refuse it. */
    public boolean exists(String name) {
        return name.matches("[A-Za-z0-9._-]+") && (Files.isRegularFile(dir.resolve(name + ".jsonl"))
                || SuiteLoader.class.getResource("/io/adapterops/evaluator/suites/" + name + ".jsonl") != null);
    }

    public List<Suite> load(List<String> names) {
        if (names.isEmpty()) {
            throw ApiException.badField("suites", "name at least one suite");
        }
        List<Suite> suites = new ArrayList<>();
        for (String name : names) {
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw ApiException.badField("suites", "suite name '" + name + "' must be a plain name");
            }
            Path own = dir.resolve(name + ".jsonl");
            Suite suite;
            try {
                suite = Files.isRegularFile(own) ? SuiteLoader.load(own) : SuiteLoader.shipped(name + ".jsonl");
            } catch (SuiteFormatException | IllegalArgumentException | UncheckedIOException e) {
                throw ApiException.badField("suites", "suite '" + name + "': " + e.getMessage());
            }
            if (suite.cases().isEmpty()) {
                throw ApiException.badField("suites", "suite '" + name + "' has no cases");
            }
            suites.add(suite);
        }
        return suites;
    }
}
