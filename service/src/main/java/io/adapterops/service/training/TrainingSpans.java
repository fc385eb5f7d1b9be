package io.adapterops.service.training;

import io.adapterops.service.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import jakarta.inject.Singleton;

import java.util.function.Supplier;

/**
 * A training job's trace: one {@code training.job} span per run of the job on a replica (a resumed
 * job gets a new one), with its phases as children: {@code training.train} (on this process or a
 * trainer worker, whose calls carry the trace on) and {@code training.register}.
 */
@Singleton
public class TrainingSpans {
    static final AttributeKey<Long> JOB = AttributeKey.longKey("adapterops.training_job.id");
    static final AttributeKey<String> BACKEND = AttributeKey.stringKey("adapterops.trainer");

    private final Tracing tracing;

    public TrainingSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    void job(long jobId, String backend, Runnable run) {
        tracing.inSpan("training.job", Attributes.of(JOB, jobId, BACKEND, backend), run);
    }

    <T> T phase(String name, Supplier<T> work) {
        return tracing.inSpan("training." + name, Attributes.empty(), work);
    }

    void phase(String name, Runnable work) {
        tracing.inSpan("training." + name, Attributes.empty(), work);
    }

    /** The job failed in a way the runner handles itself (so no exception reaches the span). */
    void failed(String why) {
        Tracing.failed(why);
    }
}
