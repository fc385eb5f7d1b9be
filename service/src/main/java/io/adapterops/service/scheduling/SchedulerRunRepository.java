package io.adapterops.service.scheduling;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface SchedulerRunRepository extends CrudRepository<SchedulerRun, Long> {
    List<SchedulerRun> findByJobOrderByFireTime(String job);
}
