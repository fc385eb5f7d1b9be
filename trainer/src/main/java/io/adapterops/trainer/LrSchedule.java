package io.adapterops.trainer;

/**
 * The learning rate per optimizer step, as Hugging Face's schedulers compute it
 * ({@code transformers.optimization}: {@code get_linear_schedule_with_warmup},
 * {@code get_cosine_schedule_with_warmup} with half a cycle, {@code get_constant_schedule},
 * {@code get_constant_schedule_with_warmup}). Warm-up rises linearly from 0, so step 0 runs at rate
 * 0 when there is one; {@code constant} has no warm-up.
 */
public record LrSchedule(Type type, double peak, long warmup, long total) {

    /** LLaMA-Factory's {@code lr_scheduler_type} values this runtime honours. */
    public enum Type { LINEAR, COSINE, CONSTANT, CONSTANT_WITH_WARMUP }

    /** The rate for optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (type == Type.CONSTANT) {
            return peak;
        }
        if (step < warmup) {
            return peak * step / Math.max(1, warmup);
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return switch (type) {
            case LINEAR -> peak * Math.max(0, 1 - progress);
            case COSINE -> peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
            case CONSTANT, CONSTANT_WITH_WARMUP -> peak;
        };
    }
}
