package io.adapterops.service.mlflow;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static io.adapterops.service.mlflow.MlflowTestSupport.await;
import static io.adapterops.service.mlflow.MlflowTestSupport.props;
import static io.adapterops.service.mlflow.MlflowTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad MLflow configuration is reported at start-up and by the API, without secrets; the service serves. */
class MlflowConfigTest {
    private static final String SECRET = "s3cr3t-password";
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.adapterops.service.mlflow");

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
    }

    @Test
    void aMalformedTrackingUriIsReportedAndTheServiceStillServes(@TempDir Path dir) {
        try (TestServer server = TestServer.start(props(dir, "htp//mlflow:5000 oops"))) {
            Map<String, Object> s = status(server);
            assertEquals("MISCONFIGURED", s.get("state"));
            assertTrue(String.valueOf(s.get("lastError")).contains("MLFLOW_TRACKING_URI"), s::toString);
            assertTrue(logged().contains("MLflow is misconfigured"), logged());
            Api api = new Api(server);
            String adapter = api.adapter();
            api.register(adapter);
            assertEquals("REGISTERED", api.state(adapter, 1), "lifecycle moves still work");
            assertTrue(((Number) status(server).get("pending")).longValue() > 0, "writes wait for a fixed configuration");
        }
    }

    @Test
    void wrongCredentialsAnswered401AreReportedWithoutThePassword(@TempDir Path dir) {
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            mlflow.requireBasic("olivia", "the-right-one");
            Map<String, Object> p = props(dir, mlflow.uri());
            p.put("adapterops.mlflow.username", "olivia");
            p.put("adapterops.mlflow.password", SECRET);
            try (TestServer server = TestServer.start(p)) {
                await("the probe was refused", () -> "UNAUTHORIZED".equals(status(server).get("state")));
                String error = String.valueOf(status(server).get("lastError"));
                assertTrue(error.contains("401") && error.contains("MLFLOW_TRACKING_USERNAME"), error);
                assertTrue(logged().contains("401"), logged());
                assertFalse(error.contains(SECRET) || logged().contains(SECRET), "the password is never shown");
                assertEquals(200, server.get("/api/v1/adapters", TestServer.ADMIN_TOKEN).status());
            }
        }
    }

    @Test
    void aServerAnswering403IsReportedAndRightCredentialsConnect(@TempDir Path dir) {
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            mlflow.forbid();
            Map<String, Object> p = props(dir.resolve("a"), mlflow.uri());
            p.put("adapterops.mlflow.token", SECRET);
            try (TestServer server = TestServer.start(p)) {
                await("the probe was refused", () -> "UNAUTHORIZED".equals(status(server).get("state")));
                String error = String.valueOf(status(server).get("lastError"));
                assertTrue(error.contains("403") && error.contains("MLFLOW_TRACKING_TOKEN"), error);
                assertFalse(error.contains(SECRET) || logged().contains(SECRET));
            }
        }
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            mlflow.requireBasic("olivia", SECRET);
            Map<String, Object> p = props(dir.resolve("b"), mlflow.uri());
            p.put("adapterops.mlflow.username", "olivia");
            p.put("adapterops.mlflow.password", SECRET);
            try (TestServer server = TestServer.start(p)) {
                await("the probe passed", () -> "CONNECTED".equals(status(server).get("state")));
            }
        }
    }

    private String logged() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
    }
}
