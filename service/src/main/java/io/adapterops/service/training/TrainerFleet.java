package io.adapterops.service.training;

import io.adapterops.service.jobs.Replica;
import io.adapterops.service.scheduling.BeanJobFactory;
import io.adapterops.service.scheduling.QuartzSchedulers;
import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * The trainers' scheduler: a Quartz cluster of its own name on the service's Quartz tables, whose
 * only members are trainer nodes. A service replica only adds jobs to it (it never starts it, so it
 * never runs one); a trainer node ({@code adapterops.fleet.node}) starts it with one thread, so it
 * runs one training job at a time (PyTorch allows one gradient collector per JVM: a host with several
 * GPUs runs one node per GPU). Every training job is a Quartz job that requests recovery: when a node
 * dies mid-job, Quartz re-fires it on another node, which resumes from the last checkpoint in the
 * shared data dir.
 */
@Singleton
@Requires(property = "adapterops.fleet.enabled", value = "true")
public class TrainerFleet {
    static final String SCHEDULER = "adapterops-trainers";
    private static final String GROUP = "training";
    private static final String PREFIX = "training-job-";
    /**
     * A job waits for a free node as long as it takes: Quartz must not count a queued job as a missed
     * fire time (it would hold it back until its misfire handler comes round, a minute later).
     */
    private static final Duration QUEUE_WAIT = Duration.ofDays(3650);
    private static final Logger LOG = LoggerFactory.getLogger(TrainerFleet.class);

    private final Scheduler scheduler;
    private final boolean node;

    public TrainerFleet(DataSource dataSource, BeanContext context, Replica replica,
                        @Value("${datasources.default.url}") String url,
                        @Value("${adapterops.fleet.node:false}") boolean node,
                        @Value("${adapterops.fleet.cluster-checkin:5s}") Duration checkin,
                        @Value("${adapterops.fleet.idle-wait:2s}") Duration idleWait,
                        @Value("${adapterops.trainer.url:}") String workerUrl) throws SchedulerException {
        if (!QuartzSchedulers.clustered(url)) {
            throw new ConfigurationException("adapterops.fleet.enabled needs PostgreSQL (DATASOURCES_DEFAULT_URL): "
                    + "trainer nodes take jobs from Quartz's tables there; on the embedded H2 default, leave it off "
                    + "and the service trains in-process");
        }
        if (!workerUrl.isBlank()) {
            throw new ConfigurationException("adapterops.fleet.enabled and adapterops.trainer.url both set: train on "
                    + "the fleet of trainer nodes or on the one trainer worker at " + workerUrl + ", not both");
        }
        this.node = node;
        this.scheduler = QuartzSchedulers.onPostgres(SCHEDULER, replica.id(), node ? 1 : 0, checkin, idleWait,
                QUEUE_WAIT, dataSource);
        scheduler.setJobFactory(new BeanJobFactory(context));
    }

    /** Queues a job for the first free node; a job already queued or running stays as it is. */
    public void schedule(long jobId) throws SchedulerException {
        JobDetail detail = JobBuilder.newJob(FleetTrainingJob.class).withIdentity(key(jobId)).requestRecovery()
                .build();
        Trigger now = TriggerBuilder.newTrigger().withIdentity(PREFIX + jobId, GROUP).forJob(detail).startNow().build();
        try {
            scheduler.scheduleJob(detail, now);
        } catch (ObjectAlreadyExistsException queued) {
            LOG.debug("training job {} is already in the trainers' scheduler", jobId);
        }
    }

    /** True while the job is queued, running, or waiting to be recovered on a node. */
    public boolean holds(long jobId) throws SchedulerException {
        return scheduler.checkExists(key(jobId));
    }

    static long jobId(JobKey key) {
        return Long.parseLong(key.getName().substring(PREFIX.length()));
    }

    private static JobKey key(long jobId) {
        return JobKey.jobKey(PREFIX + jobId, GROUP);
    }

    /** Starts taking jobs (trainer nodes only). */
    void start() throws SchedulerException {
        if (!node) {
            throw new IllegalStateException("only a trainer node runs training jobs");
        }
        scheduler.start();
    }

    /** Waits for the running job, which the runner has told to stop at its next step. */
    @PreDestroy
    void stop() throws SchedulerException {
        scheduler.shutdown(true);
    }
}
