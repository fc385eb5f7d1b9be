package io.adapterops.service.scheduling;

import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Singleton;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The Quartz scheduler of this replica. On PostgreSQL every replica joins one cluster through
 * Quartz's JDBC job store (its own tables, created by Flyway), so each trigger fires on one node
 * and a dead node's jobs are taken over; on the embedded H2 default it keeps its jobs in memory.
 * Jobs are beans: {@link BeanJobFactory} takes them from the context, so they get their
 * dependencies by injection.
 */
@Factory
class SchedulerFactory {
    static final String DATA_SOURCE = "adapterops";

    @Singleton
    Scheduler scheduler(DataSource dataSource, BeanContext context,
                        @Value("${datasources.default.url}") String url,
                        @Value("${adapterops.scheduler.threads:2}") int threads,
                        @Value("${adapterops.scheduler.cluster-checkin:5s}") java.time.Duration checkin)
            throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "adapterops");
        p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        if (clustered(url)) {
            // Quartz manages its own transactions: it gets the pool itself, not Micronaut's transaction-aware proxy.
            DataSource raw = DelegatingDataSource.unwrapDataSource(dataSource);
            DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new PoolProvider(raw));
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(checkin.toMillis()));
            p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.setJobFactory(new BeanJobFactory(context));
        return scheduler;
    }

    static boolean clustered(String url) {
        return url.startsWith("jdbc:postgresql:");
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
