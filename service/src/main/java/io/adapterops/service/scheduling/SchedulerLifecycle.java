package io.adapterops.service.scheduling;

import io.micronaut.context.env.Environment;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * Schedules every {@link ScheduledJob} bean at start-up and stops the scheduler at shutdown
 * (waiting for running jobs). Misfires are skipped ({@code MISFIRE_INSTRUCTION_DO_NOTHING}): every
 * job looks at the current state of things, so a run missed while the cluster was down is made up
 * by the next one, never replayed as a burst. A replica that finds the trigger already scheduled by
 * another with the same cron leaves it alone, so starting a replica never moves the cluster's
 * schedule.
 */
@Singleton
public class SchedulerLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLifecycle.class);
    static final String GROUP = "adapterops";

    private final Scheduler scheduler;
    private final Collection<ScheduledJob> jobs;
    private final Environment environment;

    public SchedulerLifecycle(Scheduler scheduler, Collection<ScheduledJob> jobs, Environment environment) {
        this.scheduler = scheduler;
        this.jobs = jobs;
        this.environment = environment;
    }

    @EventListener
    void start(StartupEvent event) throws SchedulerException {
        for (ScheduledJob job : jobs) {
            job.counter(SchedulerRun.Outcome.SUCCEEDED);
            job.counter(SchedulerRun.Outcome.FAILED);
            String key = "adapterops.scheduler.jobs." + job.name();
            if (!environment.getProperty(key + ".enabled", Boolean.class, true)) {
                scheduler.deleteJob(JobKey.jobKey(job.name(), GROUP));
                LOG.info("scheduled job {} is disabled", job.name());
                continue;
            }
            schedule(job, environment.getProperty(key + ".cron", String.class, job.defaultCron()));
        }
        scheduler.start();
    }

    private void schedule(ScheduledJob job, String cron) throws SchedulerException {
        JobDetail detail = JobBuilder.newJob(job.getClass()).withIdentity(job.name(), GROUP).storeDurably()
                .requestRecovery().build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(job.name(), GROUP).forJob(detail)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing()).build();
        Trigger existing = scheduler.getTrigger(TriggerKey.triggerKey(job.name(), GROUP));
        if (existing instanceof CronTrigger c && c.getCronExpression().equals(cron)
                && scheduler.checkExists(detail.getKey())) {
            return;
        }
        try {
            scheduler.addJob(detail, true);
            if (existing == null) {
                scheduler.scheduleJob(trigger);
            } else {
                scheduler.rescheduleJob(existing.getKey(), trigger);
            }
            LOG.info("scheduled job {}: {}", job.name(), cron);
        } catch (ObjectAlreadyExistsException raced) {
            LOG.debug("scheduled job {} was scheduled by another replica at the same moment", job.name());
        }
    }

    @EventListener
    void stop(ShutdownEvent event) throws SchedulerException {
        scheduler.shutdown(true);
    }
}
