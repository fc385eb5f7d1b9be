package io.adapterops.trainer;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmup} steps, then cosine decay to 0 at
 * {@code total}; the same curve as Hugging Face's {@code get_cosine_schedule_with_warmup}, so step
 * 0 runs at rate 0 when there is a warm-up.
 */
public record LrSchedule(double peak, long warmup, long total) {

    /** The rate for optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmup) {
            return peak * step / Math.max(1, warmup);
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
