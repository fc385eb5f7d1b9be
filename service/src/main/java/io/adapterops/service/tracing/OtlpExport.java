package io.adapterops.service.tracing;

import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.tracing.opentelemetry.OpenTelemetryBuilderCustomizer;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chooses the trace exporter from the standard {@code OTEL_*} settings (environment variables, or
 * {@code otel.*} properties): OTLP when an OTLP endpoint is set ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}), otherwise none. Without this, Micronaut exports nothing
 * even with an endpoint set, and the SDK's own default (OTLP to localhost) would log a failed export
 * every few seconds on a host without a collector. {@code OTEL_TRACES_EXPORTER}, when set, wins.
 * OTLP goes out through the JDK's HTTP client, so the protocol is {@code http/protobuf} unless set;
 * {@code grpc} is refused at start-up with the fix in the message rather than failing on every export.
 */
@Singleton
public class OtlpExport implements OpenTelemetryBuilderCustomizer {
    static final String EXPORTER = "otel.traces.exporter";
    static final String ENDPOINT = "otel.exporter.otlp.endpoint";
    static final String TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";
    static final String PROTOCOL = "otel.exporter.otlp.protocol";
    static final String TRACES_PROTOCOL = "otel.exporter.otlp.traces.protocol";
    static final String HTTP_PROTOBUF = "http/protobuf";

    private final Environment environment;

    public OtlpExport(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void configure(AutoConfiguredOpenTelemetrySdkBuilder sdk) {
        // Micronaut fills otel.traces.exporter=none in when nobody set it, so "set" is asked of the environment.
        boolean exporterSet = environment.getProperty(EXPORTER, String.class).filter(s -> !s.isBlank()).isPresent();
        sdk.addPropertiesCustomizer(config -> overrides(config, exporterSet));
    }

    /** The settings to add to what the user configured; empty when the user's choice stands. */
    static Map<String, String> overrides(ConfigProperties config, boolean exporterSet) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean otlp;
        if (exporterSet) {
            otlp = config.getList(EXPORTER).contains("otlp");
        } else {
            otlp = !blank(config.getString(TRACES_ENDPOINT)) || !blank(config.getString(ENDPOINT));
            out.put(EXPORTER, otlp ? "otlp" : "none");
        }
        if (!otlp) {
            return out;
        }
        String protocol = config.getString(TRACES_PROTOCOL, config.getString(PROTOCOL));
        if (blank(protocol)) {
            out.put(PROTOCOL, HTTP_PROTOBUF);
        } else if (!protocol.strip().equals(HTTP_PROTOBUF)) {
            throw new ConfigurationException("OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol + " is not supported: this "
                    + "service sends traces as http/protobuf (a collector's OTLP/HTTP port, usually 4318); "
                    + "set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf or leave it unset");
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
