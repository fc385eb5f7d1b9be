package io.adapterops.service.training;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrainingJobRepository extends GenericRepository<TrainingJob, Long> {
    TrainingJob save(TrainingJob job);

    TrainingJob update(TrainingJob job);

    Optional<TrainingJob> findById(Long id);

    Page<TrainingJob> findAll(Pageable pageable);
}
