package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.RunViews.MlflowStatusView;
import io.adapterops.service.security.Roles;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;

/** The MLflow connection: state, last error and the outbox backlog. */
@Controller("/api/v1/system/mlflow")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
public class MlflowStatusController {
    private final MlflowConfig config;
    private final MlflowStatus status;
    private final MlflowOutbox outbox;

    public MlflowStatusController(MlflowConfig config, MlflowStatus status, MlflowOutbox outbox) {
        this.config = config;
        this.status = status;
        this.outbox = outbox;
    }

    @Get
    public MlflowStatusView get() {
        boolean remote = config.remote();
        return new MlflowStatusView(remote ? "mlflow" : "embedded", remote ? config.displayUri() : null,
                status.state().name(), status.lastError(), status.lastErrorAt(), status.lastSuccessAt(),
                outbox.pending(), outbox.failed(), outbox.oldestPending());
    }
}
