package io.adapterops.service.training;

import io.micronaut.context.annotation.Prototype;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/** One training job as the trainers' scheduler fires it on a trainer node. */
@Prototype
public class FleetTrainingJob implements Job {
    private final TrainingRunner runner;

    public FleetTrainingJob(TrainingRunner runner) {
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext context) {
        runner.runOnNode(TrainerFleet.jobId(context.getJobDetail().getKey()));
    }
}
