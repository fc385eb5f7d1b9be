package io.adapterops.service.dashboards;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The metric-name reader that DashboardsTest trusts, on the shapes our expressions take. */
class PromQlNamesTest {
    @Test
    void readsMetricNamesAndNothingElse() {
        assertEquals(Set.of("adapterops_inference_latency_seconds_bucket"), PromQlNames.of(
                "histogram_quantile(0.95, sum by (route, le) (rate(adapterops_inference_latency_seconds_bucket"
                        + "{route=~\"a|b\",arm!=\"shadow\"}[5m])))"));
        assertEquals(Set.of("adapterops_monitor_signal", "adapterops_monitor_baseline"), PromQlNames.of(
                "max by (route) (adapterops_monitor_signal{signal=\"p95_latency_ms\"})\n"
                        + "> 1.05 * max by (route) (adapterops_monitor_baseline{signal=\"p95_latency_ms\"})"));
        assertEquals(Set.of("a_total", "b_info", "up"), PromQlNames.of(
                "sum without (instance) (increase(a_total[1h] offset 5m)) / on(job) group_left(version) b_info "
                        + "and up == bool 1e-3 or vector(0)"));
        assertEquals(Set.of("x"), PromQlNames.of("x{name=\"sum by (y) z\"}"));
    }
}
