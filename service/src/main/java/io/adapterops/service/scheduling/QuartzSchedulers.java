package io.adapterops.service.scheduling;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds Quartz schedulers: clustered on PostgreSQL through Quartz's JDBC job store (its own tables,
 * created by Flyway), where schedulers of one name form a cluster (each trigger fires on one member, a
 * dead member's recoverable jobs are re-run by another); or in memory on the embedded H2 default.
 * Several schedulers of different names share the same tables without seeing each other's jobs.
 */
public final class QuartzSchedulers {
    private static final AtomicInteger DATA_SOURCES = new AtomicInteger();

    private QuartzSchedulers() {
    }

    public static boolean clustered(String url) {
        return url.startsWith("jdbc:postgresql:");
    }

    public static Scheduler inMemory(String name, int threads) throws SchedulerException {
        Properties p = common(name, "AUTO", threads);
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        return create(p);
    }

    /**
     * A member of the cluster {@code name} on PostgreSQL. {@code threads} 0 makes a scheduler that
     * only adds jobs for others to run (it must then never be started); {@code idleWait} is how long
     * an idle member sleeps before it looks for triggers another process added (null: Quartz's 30 s);
     * a trigger late by more than {@code misfireThreshold} is left to the misfire handling of its job.
     */
    public static Scheduler onPostgres(String name, String instanceId, int threads, Duration checkin,
                                       @Nullable Duration idleWait, Duration misfireThreshold, DataSource dataSource)
            throws SchedulerException {
        // Quartz manages its own transactions: it gets the pool itself, not Micronaut's transaction-aware proxy.
        // Quartz looks data sources up by name in one JVM-wide registry: each scheduler gets a name of its own.
        String source = "adapterops-" + DATA_SOURCES.incrementAndGet();
        DataSource raw = DelegatingDataSource.unwrapDataSource(dataSource);
        DBConnectionManager.getInstance().addConnectionProvider(source, new PoolProvider(raw));
        Properties p = common(name, instanceId, threads);
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", source);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(checkin.toMillis()));
        p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(misfireThreshold.toMillis()));
        if (idleWait != null) {
            p.setProperty("org.quartz.scheduler.idleWaitTime", String.valueOf(idleWait.toMillis()));
        }
        return create(p);
    }

    /**
     * Quartz hands out an existing scheduler of the same name from a JVM-wide registry; taking it out
     * again makes every application context (two replicas in one test JVM) build a scheduler of its own.
     */
    private static Scheduler create(Properties p) throws SchedulerException {
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        SchedulerRepository.getInstance().remove(scheduler.getSchedulerName());
        return scheduler;
    }

    private static Properties common(String name, String instanceId, int threads) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        if (threads == 0) {
            p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.ZeroSizeThreadPool");
        } else {
            p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        }
        return p;
    }

    /** Hands Quartz connections from the service's own pool, which outlives the scheduler. */
    private record PoolProvider(DataSource pool) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public void initialize() {
        }
    }
}
