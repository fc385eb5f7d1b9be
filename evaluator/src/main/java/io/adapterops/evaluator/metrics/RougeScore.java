package io.adapterops.evaluator.metrics;

/** Precision, recall and F1 of one ROUGE variant, as rouge-score's {@code Score} tuple. */
public record RougeScore(double precision, double recall, double fmeasure) {

    static RougeScore of(double precision, double recall) {
        double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
        return new RougeScore(precision, recall, f);
    }
}
