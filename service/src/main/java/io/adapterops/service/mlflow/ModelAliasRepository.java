package io.adapterops.service.mlflow;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ModelAliasRepository extends GenericRepository<ModelAlias, Long> {
    ModelAlias save(ModelAlias alias);

    ModelAlias update(ModelAlias alias);

    void delete(ModelAlias alias);

    Optional<ModelAlias> findByAdapterAndAlias(String adapter, String alias);
}
