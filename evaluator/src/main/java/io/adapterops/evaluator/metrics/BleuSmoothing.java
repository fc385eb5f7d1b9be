package io.adapterops.evaluator.metrics;

/** sacreBLEU's smoothing methods for n-gram orders with no match; defaults as sacreBLEU sets them. */
public enum BleuSmoothing {
    /** Chen &amp; Cherry method 3 as in NIST mteval: 1/(2^k · total) for the k-th zero. */
    EXP(0.0),
    /** A fixed count {@code value} in place of a zero match count. */
    FLOOR(0.1),
    /** Adds {@code value} to matches and totals of orders above one. */
    ADD_K(1.0),
    NONE(0.0);

    private final double defaultValue;

    BleuSmoothing(double defaultValue) {
        this.defaultValue = defaultValue;
    }

    public double defaultValue() {
        return defaultValue;
    }

    public static BleuSmoothing named(String name) {
        return switch (name) {
            case "exp" -> EXP;
            case "floor" -> FLOOR;
            case "add-k" -> ADD_K;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException(
                    "unknown smoothing '" + name + "'; use one of exp, floor, add-k, none");
        };
    }
}
