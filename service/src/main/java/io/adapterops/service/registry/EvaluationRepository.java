package io.adapterops.service.registry;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface EvaluationRepository extends GenericRepository<Evaluation, Long> {
    Evaluation save(Evaluation evaluation);

    List<Evaluation> findByAdapterVersionIdOrderById(long adapterVersionId);
}
