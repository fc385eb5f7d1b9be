package io.adapterops.service.scheduling;

import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * The Quartz scheduler of this replica. On PostgreSQL every replica joins one cluster through
 * Quartz's JDBC job store (its own tables, created by Flyway), so each trigger fires on one node
 * and a dead node's jobs are taken over; on the embedded H2 default it keeps its jobs in memory.
 * Jobs are beans: {@link BeanJobFactory} takes them from the context, so they get their
 * dependencies by injection.
 */
@Factory
class SchedulerFactory {

    @Singleton
    Scheduler scheduler(DataSource dataSource, BeanContext context,
                        @Value("${datasources.default.url}") String url,
                        @Value("${adapterops.scheduler.threads:2}") int threads,
                        @Value("${adapterops.scheduler.cluster-checkin:5s}") Duration checkin)
            throws SchedulerException {
        Scheduler scheduler = QuartzSchedulers.clustered(url)
                ? QuartzSchedulers.onPostgres("adapterops", "AUTO", threads, checkin, null,
                        Duration.ofMinutes(1), dataSource)
                : QuartzSchedulers.inMemory("adapterops", threads);
        scheduler.setJobFactory(new BeanJobFactory(context));
        return scheduler;
    }
}
