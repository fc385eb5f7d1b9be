package io.adapterops.service.mlflow;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface RegisteredVersionRepository extends GenericRepository<RegisteredVersion, Long> {
    RegisteredVersion save(RegisteredVersion version);

    RegisteredVersion update(RegisteredVersion version);

    Optional<RegisteredVersion> findByAdapterAndNumber(String adapter, int number);

    List<RegisteredVersion> findByAdapter(String adapter);

    @Query("SELECT COALESCE(MAX(GREATEST(COALESCE(champion_seq, 0), COALESCE(canary_seq, 0))), 0) "
            + "FROM mlflow_model_version WHERE adapter = :adapter")
    long lastSeq(String adapter);

    @Query("UPDATE mlflow_model_version SET mlflow_version = :mlflowVersion WHERE adapter = :adapter AND number = :number")
    void linkMlflow(String adapter, int number, String mlflowVersion);
}
