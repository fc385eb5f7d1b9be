package io.adapterops.evaluator.report;

import java.util.List;

/**
 * Whatever answers prompts: an adapter version served by the llm module, a remote endpoint, or a
 * stub in a test. The evaluator needs nothing else from a model.
 */
@FunctionalInterface
public interface Responder {

    String respond(String prompt);

    /** Answers in order; override where the model can batch. */
    default List<String> respondAll(List<String> prompts) {
        return prompts.stream().map(this::respond).toList();
    }
}
