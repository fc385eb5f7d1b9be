package io.adapterops.service.security;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ApiTokenRepository extends GenericRepository<ApiToken, Long> {
    ApiToken save(ApiToken token);

    ApiToken update(ApiToken token);

    Optional<ApiToken> findById(Long id);

    Optional<ApiToken> findByTokenHashAndRevokedAtIsNull(String tokenHash);

    Optional<ApiToken> findByTokenHash(String tokenHash);

    long countByRevokedAtIsNull();

    Page<ApiToken> findAll(Pageable pageable);
}
