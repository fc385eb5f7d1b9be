package io.adapterops.service.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Grafana in the compose stack loads: the dashboard folder and provisioning mounted where the
 * provider looks, every panel on the provisioned datasource's uid, and four dashboards with
 * unique uids and ids.
 */
class GrafanaProvisioningTest {
    @Test
    @SuppressWarnings("unchecked")
    void composeMountsTheDashboardsWhereTheProviderLooksAndEveryPanelUsesTheProvisionedDatasource() throws Exception {
        Yaml yaml = new Yaml();
        Map<String, Object> compose = yaml.load(Files.readString(Path.of("..", "docker", "docker-compose.yml")));
        List<String> mounts = (List<String>) ((Map<String, Object>) ((Map<String, Object>) compose.get("services"))
                .get("grafana")).get("volumes");
        Map<String, Object> provider = ((List<Map<String, Object>>) ((Map<String, Object>) yaml.load(Files.readString(
                GrafanaDashboards.PROVISIONING.resolve("dashboards").resolve("adapterops.yml")))).get("providers")).get(0);
        String path = (String) ((Map<String, Object>) provider.get("options")).get("path");
        assertTrue(mounts.contains("../grafana/dashboards:" + path + ":ro"), mounts + " mounts no dashboards at " + path);
        assertTrue(mounts.contains("../grafana/provisioning:/etc/grafana/provisioning:ro"), mounts::toString);

        Map<String, Object> datasource = ((List<Map<String, Object>>) ((Map<String, Object>) yaml.load(Files.readString(
                GrafanaDashboards.PROVISIONING.resolve("datasources").resolve("prometheus.yml")))).get("datasources")).get(0);
        assertEquals("http://prometheus:9090", datasource.get("url"));
        String uid = (String) datasource.get("uid");

        List<String> wrong = new ArrayList<>();
        Set<String> uids = new HashSet<>();
        for (Path file : GrafanaDashboards.files()) {
            JsonNode d = GrafanaDashboards.read(file);
            assertTrue(uids.add(d.path("uid").asText()), "duplicate dashboard uid in " + file);
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : d.path("panels")) {
                assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id in " + file);
                assertTrue(panel.path("targets").size() > 0, file + " panel " + panel.path("title") + " has no target");
                for (JsonNode t : panel.path("targets")) {
                    if (!uid.equals(t.path("datasource").path("uid").asText())) {
                        wrong.add(file.getFileName() + " / " + panel.path("title").asText() + " / " + t.path("refId").asText());
                    }
                }
            }
        }
        assertEquals(4, uids.size(), uids::toString);
        assertTrue(wrong.isEmpty(), "targets not on datasource uid '" + uid + "': " + wrong);
    }
}
