package io.adapterops.service.mlflow;

/** What an outbox row asks of MLflow; its payload is the record of the same name in {@link OutboxPayloads}. */
public enum OutboxKind {
    CREATE_RUN, LOG_BATCH, UPLOAD_ARTIFACTS, END_RUN, CREATE_MODEL_VERSION, SET_VERSION_TAG, SET_ALIAS, DELETE_ALIAS
}
