package io.adapterops.service.tracing;

import io.micronaut.context.exceptions.ConfigurationException;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which exporter the standard OTEL_* settings (as the SDK reads them) turn on. */
class OtlpExportTest {
    private static Map<String, String> decide(Map<String, String> settings, boolean exporterSet) {
        return OtlpExport.overrides(DefaultConfigProperties.createFromMap(settings), exporterSet);
    }

    @Test
    void nothingSetMeansNoExporter() {
        assertEquals(Map.of("otel.traces.exporter", "none"), decide(Map.of(), false));
    }

    @Test
    void anOtlpEndpointTurnsOnOtlpOverHttpProtobuf() {
        assertEquals(Map.of("otel.traces.exporter", "otlp", "otel.exporter.otlp.protocol", "http/protobuf"),
                decide(Map.of("otel.exporter.otlp.endpoint", "http://collector:4318"), false));
        assertEquals("otlp", decide(Map.of("otel.exporter.otlp.traces.endpoint", "http://c:4318/v1/traces"), false)
                .get("otel.traces.exporter"));
    }

    @Test
    void anExplicitExporterChoiceWins() {
        assertTrue(decide(Map.of("otel.traces.exporter", "none", "otel.exporter.otlp.endpoint", "http://c:4318"), true)
                .isEmpty());
        assertEquals(Map.of("otel.exporter.otlp.protocol", "http/protobuf"),
                decide(Map.of("otel.traces.exporter", "otlp"), true));
    }

    @Test
    void grpcIsRefusedWithTheFix() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> decide(Map.of(
                "otel.exporter.otlp.endpoint", "http://collector:4317", "otel.exporter.otlp.protocol", "grpc"), false));
        assertTrue(e.getMessage().contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"), e.getMessage());
    }
}
