package io.adapterops.service.evaluation;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface EvaluationRunRepository extends GenericRepository<EvaluationRun, Long> {
    EvaluationRun save(EvaluationRun run);

    EvaluationRun update(EvaluationRun run);

    Optional<EvaluationRun> findById(Long id);

    List<EvaluationRun> findByAdapterVersionIdOrderById(long adapterVersionId);

    List<EvaluationRun> findByStatus(EvaluationRun.Status status);

    boolean existsByAdapterVersionIdAndStatus(long adapterVersionId, EvaluationRun.Status status);
}
