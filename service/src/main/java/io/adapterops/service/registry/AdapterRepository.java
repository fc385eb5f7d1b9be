package io.adapterops.service.registry;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AdapterRepository extends GenericRepository<Adapter, Long> {
    Adapter save(Adapter adapter);

    Optional<Adapter> findByName(String name);

    Optional<Adapter> findById(Long id);

    boolean existsByName(String name);

    Page<Adapter> findAll(Pageable pageable);
}
