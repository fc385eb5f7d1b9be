package io.adapterops.service.datasets;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface DatasetVersionRepository extends GenericRepository<DatasetVersion, Long> {
    DatasetVersion save(DatasetVersion version);

    Optional<DatasetVersion> findById(Long id);

    Optional<DatasetVersion> findByDatasetIdAndContentHash(long datasetId, String contentHash);

    Page<DatasetVersion> findByDatasetId(long datasetId, Pageable pageable);
}
