package io.adapterops.service.scheduling;

import io.micronaut.context.BeanContext;
import org.quartz.Job;
import org.quartz.Scheduler;
import org.quartz.spi.JobFactory;
import org.quartz.spi.TriggerFiredBundle;

/** Quartz asks for a job instance per run; the bean context makes it, with its dependencies injected. */
public final class BeanJobFactory implements JobFactory {
    private final BeanContext context;

    public BeanJobFactory(BeanContext context) {
        this.context = context;
    }

    @Override
    public Job newJob(TriggerFiredBundle bundle, Scheduler scheduler) {
        return context.getBean(bundle.getJobDetail().getJobClass());
    }
}
