package io.adapterops.evaluator.suite;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A named set of cases of one kind. When {@code json} is true replies must be JSON, and when a
 * schema is given they must also conform to it.
 */
public record Suite(String name, SuiteKind kind, Optional<String> route, boolean json, Optional<JsonNode> schema,
                    List<EvalCase> cases) {

    public Suite {
        cases = List.copyOf(cases);
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("suite '" + name + "' has no cases");
        }
    }
}
