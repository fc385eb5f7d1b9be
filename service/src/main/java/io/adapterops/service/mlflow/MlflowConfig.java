package io.adapterops.service.mlflow;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.inject.Singleton;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where the MLflow server is and how to reach it, from {@code adapterops.mlflow.*} (the standard
 * {@code MLFLOW_TRACKING_*} variables by default). Checked once here; {@link #problem()} says what is
 * wrong in words that never include a secret.
 */
@Singleton
public class MlflowConfig {
    private final String rawUri;
    private final @Nullable URI uri;
    private final @Nullable String problem;
    private final @Nullable String username;
    private final @Nullable String password;
    private final @Nullable String token;
    private final Duration requestTimeout;
    private final Duration pollInterval;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final long multipartThreshold;
    private final long multipartPartSize;

    public MlflowConfig(@Value("${adapterops.mlflow.tracking-uri:}") String trackingUri,
                        @Value("${adapterops.mlflow.username:}") String username,
                        @Value("${adapterops.mlflow.password:}") String password,
                        @Value("${adapterops.mlflow.token:}") String token,
                        @Value("${adapterops.mlflow.request-timeout:30s}") Duration requestTimeout,
                        @Value("${adapterops.mlflow.poll-interval:1s}") Duration pollInterval,
                        @Value("${adapterops.mlflow.backoff-initial:1s}") Duration backoffInitial,
                        @Value("${adapterops.mlflow.backoff-max:5m}") Duration backoffMax,
                        @Value("${adapterops.mlflow.multipart-threshold:500MB}") @ReadableBytes long multipartThreshold,
                        @Value("${adapterops.mlflow.multipart-part-size:100MB}") @ReadableBytes long multipartPartSize) {
        this.rawUri = trackingUri == null ? "" : trackingUri.trim();
        this.username = blankToNull(username);
        this.password = blankToNull(password);
        this.token = blankToNull(token);
        this.requestTimeout = requestTimeout;
        this.pollInterval = pollInterval;
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
        this.multipartThreshold = multipartThreshold;
        this.multipartPartSize = multipartPartSize;
        URI parsed = null;
        String why = null;
        if (!rawUri.isEmpty()) {
            try {
                parsed = new URI(rawUri);
                if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())
                        || parsed.getHost() == null) {
                    why = "MLFLOW_TRACKING_URI '" + displayUri() + "' is not an http(s) URL of a tracking server"
                            + " (expected e.g. http://mlflow.example.com:5000)";
                    parsed = null;
                } else if (parsed.getUserInfo() != null) {
                    why = "MLFLOW_TRACKING_URI must not carry credentials; use MLFLOW_TRACKING_USERNAME and "
                            + "MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN";
                    parsed = null;
                }
            } catch (URISyntaxException e) {
                why = "MLFLOW_TRACKING_URI '" + displayUri() + "' is malformed: " + e.getReason();
            }
            if (why == null && (this.username == null) != (this.password == null)) {
                why = "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must be set together";
                parsed = null;
            }
            if (why == null && multipartPartSize <= 0) {
                why = "adapterops.mlflow.multipart-part-size must be positive";
                parsed = null;
            }
        }
        this.uri = parsed;
        this.problem = why;
    }

    /** True when a tracking URI is set at all (even a bad one): writes then queue for MLflow. */
    public boolean remote() {
        return !rawUri.isEmpty();
    }

    /** The server's base URL without a trailing slash, or null when the configuration is unusable. */
    public @Nullable String baseUrl() {
        if (uri == null) {
            return null;
        }
        String s = uri.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    public @Nullable String problem() {
        return problem;
    }

    /** The URI as it may be shown: anything between the scheme and an '@' is masked. */
    public String displayUri() {
        return rawUri.replaceAll("(?<=://)[^/@]*@", "***@");
    }

    public @Nullable String username() {
        return username;
    }

    public @Nullable String password() {
        return password;
    }

    public @Nullable String token() {
        return token;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public Duration backoffInitial() {
        return backoffInitial;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    /** Files larger than this go up through a multipart upload where the artifact store offers one. */
    public long multipartThreshold() {
        return multipartThreshold;
    }

    public long multipartPartSize() {
        return multipartPartSize;
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
