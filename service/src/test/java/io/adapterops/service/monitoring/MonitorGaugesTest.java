package io.adapterops.service.monitoring;

import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A replica that did not run the monitor exports the latest assessment's gauges, read from the database. */
class MonitorGaugesTest {

    @Test
    void aReplicaExportsTheGaugesOfAnAssessmentAnotherReplicaStored(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(TestDatabases.h2(dir))) {
            DataSource ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO route_assessment (route, assessed_at, body) VALUES (?, ?, ?)")) {
                ps.setString(1, "elsewhere");
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
                ps.setString(3, "{\"route\":\"elsewhere\",\"assessed\":true,\"decisions\":[],\"gauges\":{"
                        + "\"signal|satisfaction\":0.8,\"baseline|satisfaction\":0.9,\"signal|refusal_rate\":null,"
                        + "\"drift|prompt_tokens\":0.31,\"drift_threshold|prompt_tokens\":0.2}}");
                ps.executeUpdate();
            }
            server.context().getBean(MonitorMetrics.class).refresh();
            String scrape = server.get("/prometheus", null).body();
            for (String expected : new String[] {
                    "adapterops_monitor_signal{route=\"elsewhere\",signal=\"satisfaction\"} 0.8",
                    "adapterops_monitor_baseline{route=\"elsewhere\",signal=\"satisfaction\"} 0.9",
                    "adapterops_monitor_signal{route=\"elsewhere\",signal=\"refusal_rate\"} NaN",
                    "adapterops_drift_score{feature=\"prompt_tokens\",route=\"elsewhere\"} 0.31",
                    "adapterops_retraining_triggers_total{reason=\"satisfaction\",route=\"elsewhere\"} 0.0"}) {
                assertTrue(scrape.lines().anyMatch(l -> l.equals(expected)), expected + " in\n" + scrape);
            }
        }
    }
}
