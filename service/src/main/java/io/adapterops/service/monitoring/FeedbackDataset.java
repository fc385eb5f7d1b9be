package io.adapterops.service.monitoring;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.datasets.Dataset;
import io.adapterops.service.datasets.DatasetFormat;
import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.storage.DataDir;
import io.adapterops.service.training.TrainingJob;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.ReadOptions;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import io.adapterops.trainer.data.cleaning.CleaningConfig;
import io.adapterops.trainer.data.cleaning.CleaningPipeline;
import io.adapterops.trainer.data.cleaning.CleaningResult;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.Sort;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Training data from a route's feedback, for routes that opt in
 * ({@code adapterops.monitoring.feedback-data-routes}): each well-rated answer (up, 4 or 5) becomes an
 * SFT pair of its prompt and answer; an up- and a down-rated answer to the same prompt become a DPO
 * pair (chosen, rejected). The rows that fit the retrained job's objective are appended to the newest
 * version of its dataset and cleaned like an upload, as a new dataset version; what was used, what
 * could not be and why, and what cleaning kept are counted in the audit event, so nothing is dropped
 * silently.
 */
@Singleton
public class FeedbackDataset {
    private final MonitorSettings settings;
    private final DatasetRepository datasets;
    private final DatasetVersionRepository versions;
    private final AuditLog audit;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> tx;
    private final Path root;

    public FeedbackDataset(MonitorSettings settings, DatasetRepository datasets, DatasetVersionRepository versions,
                           AuditLog audit, JdbcOperations jdbc, TransactionOperations<Connection> tx, DataDir dataDir) {
        this.settings = settings;
        this.datasets = datasets;
        this.versions = versions;
        this.audit = audit;
        this.jdbc = jdbc;
        this.tx = tx;
        this.root = dataDir.resolve("datasets");
    }

    /** The dataset version a retraining uses and how it was made from feedback. */
    public record Appended(DatasetVersion version, String summary) {
    }

    /** Empty when the route has not opted in; otherwise the version to train on (the old one if nothing was usable). */
    public Optional<Appended> append(String route, TrainingJob source, String actor) {
        if (!settings.getFeedbackDataRoutes().contains(route)) {
            return Optional.empty();
        }
        Dataset dataset = datasets.findById(source.datasetId()).orElseThrow();
        DatasetVersion base = versions.findByDatasetId(dataset.id(), Pageable.from(0, 1, Sort.of(Sort.Order.desc("id"))))
                .getContent().stream().findFirst().orElseThrow();
        Rated rated = rated(route);
        boolean preference = dataset.format() == DatasetFormat.PREFERENCE;
        List<Example> derived = preference ? rated.dpoPairs() : rated.sftPairs();
        String counts = rated.describe(preference);
        if (derived.isEmpty()) {
            String summary = "feedback of route '" + route + "': " + counts + "; nothing to add, training on "
                    + base.contentHash();
            audit.record(actor, "dataset.feedback-unused", "dataset:" + dataset.name(), null, null, summary);
            return Optional.of(new Appended(base, summary));
        }
        List<Example> rows = new ArrayList<>(new DatasetReader(ReadOptions.defaults()).load(Path.of(base.path()))
                .examples());
        int baseRows = rows.size();
        rows.addAll(derived);
        CleaningResult cleaned = new CleaningPipeline(CleaningConfig.defaults()).clean(rows);
        String summary = "feedback of route '" + route + "': " + counts + "; " + baseRows + " rows of "
                + base.contentHash() + " + " + derived.size() + " from feedback = " + rows.size() + ", "
                + cleaned.report().rowsOut() + " after cleaning";
        return Optional.of(new Appended(store(dataset, cleaned, summary, actor), summary));
    }

    private DatasetVersion store(Dataset dataset, CleaningResult cleaned, String summary, String actor) {
        Path dir = root.resolve(dataset.name());
        String token = UUID.randomUUID().toString();
        Path rowsTmp = dir.resolve(".rows-" + token);
        Path reportTmp = dir.resolve(".report-" + token);
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(rowsTmp)) {
                cleaned.version().writeJsonl(out);
            }
            Files.writeString(reportTmp, cleaned.report().toJson());
            String hash = cleaned.version().id();
            return tx.executeWrite(status -> {
                Optional<DatasetVersion> existing = versions.findByDatasetIdAndContentHash(dataset.id(), hash);
                if (existing.isPresent()) {
                    return existing.get();
                }
                String stem = hash.substring(hash.indexOf(':') + 1);
                Path rows = dir.resolve(stem + ".jsonl");
                DatasetVersion saved = versions.save(new DatasetVersion(null, dataset.id(), hash,
                        cleaned.version().examples().size(), rows.toString(), actor, Instant.now()));
                audit.record(actor, "dataset.version-created", "dataset:" + dataset.name(), null, null,
                        hash + ": " + summary);
                Files.move(rowsTmp, rows, StandardCopyOption.REPLACE_EXISTING);
                Files.move(reportTmp, dir.resolve(stem + ".report.json"), StandardCopyOption.REPLACE_EXISTING);
                return saved;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the feedback rows of dataset '" + dataset.name() + "'", e);
        } finally {
            try {
                Files.deleteIfExists(rowsTmp);
                Files.deleteIfExists(reportTmp);
            } catch (IOException ignored) {
                // temporary names only; a leftover is never read as a version
            }
        }
    }

    private Rated rated(String route) {
        Rated out = new Rated();
        tx.executeRead(status -> jdbc.prepareStatement("SELECT r.prompt, r.response, f.rating FROM inference_request r "
                + "JOIN inference_feedback f ON f.request_id = r.id WHERE r.route = ? AND r.primary_request_id IS NULL "
                + "AND r.outcome = 'ok' ORDER BY r.created_at, r.id", ps -> {
            ps.setString(1, route);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1), rs.getString(2), TrafficWindows.up(rs.getString(3)));
                }
            }
            return null;
        }));
        return out;
    }

    /** Rated answers by prompt, with the counts of those that cannot be used. */
    private static final class Rated {
        private final Map<String, List<String>> up = new LinkedHashMap<>();
        private final Map<String, List<String>> down = new LinkedHashMap<>();
        private int total;
        private int neutral;
        private int unsampled;

        void add(String prompt, String response, Boolean good) {
            total++;
            if (good == null) {
                neutral++;
            } else if (prompt == null || response == null) {
                unsampled++;
            } else {
                String user = TrafficWindows.lastUserMessage(prompt);
                (good ? up : down).computeIfAbsent(user, k -> new ArrayList<>()).add(response);
            }
        }

        List<Example> sftPairs() {
            List<Example> out = new ArrayList<>();
            up.forEach((prompt, answers) -> answers.forEach(a -> out.add(conversation(prompt, a))));
            return out;
        }

        List<Example> dpoPairs() {
            List<Example> out = new ArrayList<>();
            up.forEach((prompt, chosen) -> {
                List<String> rejected = down.getOrDefault(prompt, List.of());
                for (int i = 0; i < Math.min(chosen.size(), rejected.size()); i++) {
                    out.add(new PreferencePair(new Conversation(null, null, List.of(new Turn(Role.USER, prompt)),
                            "feedback"), chosen.get(i), rejected.get(i)));
                }
            });
            return out;
        }

        String describe(boolean preference) {
            int ups = up.values().stream().mapToInt(List::size).sum();
            int downs = down.values().stream().mapToInt(List::size).sum();
            String used = preference
                    ? dpoPairs().size() + " DPO pair(s) from " + ups + " up- and " + downs + " down-rated answers ("
                    + (ups + downs - 2 * dpoPairs().size()) + " without a counterpart on the same prompt)"
                    : ups + " SFT pair(s) from up-rated answers (" + downs + " down-rated answer(s) unused: an SFT "
                    + "dataset takes no rejected answers)";
            return total + " rated answer(s): " + used + ", " + neutral + " neutral, " + unsampled
                    + " without a logged prompt (not sampled)";
        }

        private static Conversation conversation(String prompt, String answer) {
            return new Conversation(null, null, List.of(new Turn(Role.USER, prompt), new Turn(Role.ASSISTANT, answer)),
                    "feedback");
        }
    }
}
