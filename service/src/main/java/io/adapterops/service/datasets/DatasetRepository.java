package io.adapterops.service.datasets;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface DatasetRepository extends GenericRepository<Dataset, Long> {
    Dataset save(Dataset dataset);

    Optional<Dataset> findByName(String name);

    Optional<Dataset> findById(Long id);

    boolean existsByName(String name);

    Page<Dataset> findAll(Pageable pageable);
}
