package io.adapterops.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    private static final ToDoubleFunction<List<Double>> MEAN = xs -> xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);

    private static List<Double> bernoulli(int ones, int n) {
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            xs.add(i < ones ? 1.0 : 0.0);
        }
        return xs;
    }

    @Test
    void intervalOfAProportionIsCloseToTheNormalApproximation() {
        Estimate e = Bootstrap.standard().estimate("rate", bernoulli(30, 100), MEAN);
        assertEquals(0.30, e.value(), 1e-12);
        // normal approximation: 0.30 ± 1.96·sqrt(0.3·0.7/100) = [0.210, 0.390]
        assertEquals(0.21, e.lower(), 0.025);
        assertEquals(0.39, e.upper(), 0.025);
        assertEquals(100, e.n());
    }

    @Test
    void sameSeedGivesTheSameInterval() {
        List<Double> xs = bernoulli(7, 20);
        Estimate a = new Bootstrap(500, 42).estimate("m", xs, MEAN);
        Estimate b = new Bootstrap(500, 42).estimate("m", xs, MEAN);
        assertEquals(a, b);
    }

    @Test
    void constantDataHasAPointInterval() {
        Estimate e = Bootstrap.standard().estimate("m", List.of(0.5, 0.5, 0.5), MEAN);
        assertEquals(0.5, e.lower(), 0.0);
        assertEquals(0.5, e.upper(), 0.0);
    }

    @Test
    void pairedDifferenceIntervalExcludesZeroForAClearImprovement() {
        List<Double> before = bernoulli(20, 100);
        List<Double> after = bernoulli(60, 100);
        Estimate d = Bootstrap.standard().difference("m", before, after, MEAN);
        assertEquals(0.40, d.value(), 1e-12);
        assertTrue(d.lower() > 0.25 && d.upper() < 0.55, d.toString());
    }

    @Test
    void tooFewResamplesOrUnequalPairsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(10, 1));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.standard().difference("m", List.of(1.0), List.of(1.0, 2.0), MEAN));
    }
}
