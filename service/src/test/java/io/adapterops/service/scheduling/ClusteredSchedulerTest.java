package io.adapterops.service.scheduling;

import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quartz as the service runs it: clustered on PostgreSQL, in memory on H2. */
class ClusteredSchedulerTest {

    private static Map<String, Object> probe(Map<String, Object> props) {
        props.put("test.scheduler.probe", "true");
        props.put("adapterops.scheduler.cluster-checkin", "1s");
        return props;
    }

    @Test
    void twoReplicasOnOnePostgresRunEachFireTimeOnce(@TempDir Path dir) throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        try (TestServer a = TestServer.start(probe(pg.properties(dir.resolve("a"))));
             TestServer b = TestServer.start(probe(pg.properties(dir.resolve("b"))))) {
            SchedulerRunRepository runs = a.context().getBean(SchedulerRunRepository.class);
            Instant deadline = Instant.now().plusSeconds(60);
            while (runs.findByJobOrderByFireTime("probe").size() < 8 && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            List<SchedulerRun> all = runs.findByJobOrderByFireTime("probe");
            assertTrue(all.size() >= 8, "the probe ran " + all.size() + " times in 60 s");
            Map<Instant, Long> perFireTime = all.stream()
                    .collect(Collectors.groupingBy(SchedulerRun::fireTime, Collectors.counting()));
            assertEquals(Set.of(1L), Set.copyOf(perFireTime.values()), "one execution per fire time: " + perFireTime);
            Set<String> instances = all.stream().map(SchedulerRun::instance).collect(Collectors.toSet());
            assertTrue(instances.stream().allMatch(i -> !i.isBlank()), instances::toString);
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }

    @Test
    void aFailingRunIsRecordedAndCountedAndTheScheduleGoesOn(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(probe(TestDatabases.h2(dir)))) {
            SchedulerRunRepository runs = server.context().getBean(SchedulerRunRepository.class);
            ProbeJob.failing = true;
            try {
                awaitRuns(runs, r -> r.outcome() == SchedulerRun.Outcome.FAILED, 2);
            } finally {
                ProbeJob.failing = false;
            }
            awaitRuns(runs, r -> r.outcome() == SchedulerRun.Outcome.SUCCEEDED, 1);
            SchedulerRun failed = runs.findByJobOrderByFireTime("probe").stream()
                    .filter(r -> r.outcome() == SchedulerRun.Outcome.FAILED).findFirst().orElseThrow();
            assertTrue(failed.detail().startsWith("probe told to fail at "), failed::toString);
            String scrape = server.get("/prometheus", null).body();
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_scheduler_job_runs_total{")
                    && l.contains("scheduled_job=\"probe\"") && l.contains("outcome=\"failed\"") && !l.endsWith(" 0.0")), scrape);
        }
    }

    private static void awaitRuns(SchedulerRunRepository runs, java.util.function.Predicate<SchedulerRun> which, int n)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (runs.findByJobOrderByFireTime("probe").stream().filter(which).count() >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + n + " matching probe runs in 30 s: " + runs.findByJobOrderByFireTime("probe"));
    }
}
