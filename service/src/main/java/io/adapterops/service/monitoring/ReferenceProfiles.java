package io.adapterops.service.monitoring;

import io.adapterops.monitoring.drift.FeatureProfile;
import io.adapterops.monitoring.drift.ProfileJson;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reference profile of a dataset version (prompt and reply features of its cleaned rows), the
 * baseline of prompt drift. Computed from the version's file on first use and stored with the
 * version, so every replica reads the same profile and the file is read once.
 */
@Singleton
public class ReferenceProfiles {
    private final JdbcOperations jdbc;

    public ReferenceProfiles(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** Empty when the version's file is gone (nothing to compare live prompts with). */
    @Transactional
    public Optional<FeatureProfile> of(DatasetVersion version) {
        String stored = jdbc.prepareStatement("SELECT profile FROM dataset_version WHERE id = ?", ps -> {
            ps.setLong(1, version.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
        if (stored != null) {
            return Optional.of(ProfileJson.read(stored));
        }
        Path file = Path.of(version.path());
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        LoadedDataset rows = new DatasetReader(ReadOptions.defaults()).load(file);
        List<String> prompts = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        for (Example e : rows.examples()) {
            prompts.add(e.lastPrompt());
            replies.add(e.targets().isEmpty() ? "" : e.targets().get(0));
        }
        FeatureProfile profile = FeatureProfile.ofDataset(prompts, replies);
        String json = ProfileJson.write(profile);
        jdbc.prepareStatement("UPDATE dataset_version SET profile = ? WHERE id = ?", ps -> {
            ps.setString(1, json);
            ps.setLong(2, version.id());
            return ps.executeUpdate();
        });
        return Optional.of(profile);
    }
}
