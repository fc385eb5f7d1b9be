package io.adapterops.trainer.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.trainer.Progress;

import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link Progress} as the worker's JSON: snake_case, eval_loss only when the step evaluated. */
public final class ProgressJson {

    private ProgressJson() {
    }

    public static ObjectNode of(Progress p) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("step", p.step());
        n.put("total_steps", p.totalSteps());
        n.put("epoch", p.epoch());
        n.put("train_loss", p.trainLoss());
        if (p.evalLoss() != null) {
            n.put("eval_loss", p.evalLoss());
        }
        n.put("learning_rate", p.learningRate());
        n.put("grad_norm", p.gradNorm());
        n.put("tokens_per_second", p.tokensPerSecond());
        n.put("eta_seconds", p.etaSeconds());
        ObjectNode extra = n.putObject("extra");
        p.extra().forEach(extra::put);
        return n;
    }

    /** The inverse of {@link #of}, for clients of the worker. */
    public static Progress read(JsonNode n) {
        Map<String, Double> extra = new LinkedHashMap<>();
        n.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asDouble()));
        return new Progress(n.path("step").asLong(), n.path("total_steps").asLong(), n.path("epoch").asDouble(),
                n.path("train_loss").asDouble(), n.has("eval_loss") ? n.get("eval_loss").asDouble() : null,
                n.path("learning_rate").asDouble(), n.path("grad_norm").asDouble(),
                n.path("tokens_per_second").asDouble(), n.path("eta_seconds").asDouble(), extra);
    }
}
