package io.adapterops.service.registry;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AdapterVersionRepository extends GenericRepository<AdapterVersion, Long> {
    AdapterVersion save(AdapterVersion version);

    AdapterVersion update(AdapterVersion version);

    Optional<AdapterVersion> findById(Long id);

    Optional<AdapterVersion> findByAdapterIdAndNumber(long adapterId, int number);

    Page<AdapterVersion> findByAdapterId(long adapterId, Pageable pageable);

    @Query("SELECT COALESCE(MAX(number), 0) FROM adapter_version WHERE adapter_id = :adapterId")
    int maxNumber(long adapterId);
}
