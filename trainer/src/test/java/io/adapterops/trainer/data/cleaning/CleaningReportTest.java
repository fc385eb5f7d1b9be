package io.adapterops.trainer.data.cleaning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.adapterops.trainer.data.cleaning.Rows.qa;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CleaningReportTest {

    @Test
    void reportSerialisesStepsHistogramsAndVersionToJson() throws Exception {
        CleaningResult result = Rows.clean(CleaningConfig.defaults(), List.of(
                qa("Reset password?", "Use the portal."),
                qa("Reset password?", "Use the portal."),
                qa("My card is 4111 1111 1111 1111, is it blocked?", "Call the bank, not IT.")));

        JsonNode json = new ObjectMapper().readTree(result.report().toJson());

        assertEquals(result.version().id(), json.get("datasetVersion").asText());
        assertEquals(3, json.get("rowsIn").asInt());
        assertEquals(2, json.get("rowsOut").asInt());
        assertEquals(List.of("normalize", "pii", "blocklist", "exact_dedup", "near_dedup", "length"),
                json.get("steps").findValuesAsText("step"));
        assertEquals(1, json.get("steps").get(3).get("removed").asInt());
        assertEquals(1, json.get("steps").get(1).get("counts").get("card").asInt());
        assertEquals(3, json.get("lengthsBefore").get("rows").asInt());
        assertEquals(2, json.get("lengthsAfter").get("rows").asInt());
        assertEquals(2, sum(json.get("lengthsAfter").get("buckets")));
        assertEquals(List.of("8-15", "16-31"), names(json.get("lengthsBefore").get("buckets")));
    }

    private static List<String> names(JsonNode buckets) {
        List<String> names = new ArrayList<>();
        buckets.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static int sum(JsonNode buckets) {
        int total = 0;
        for (JsonNode n : buckets) {
            total += n.asInt();
        }
        return total;
    }
}
