package io.adapterops.service.registry;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.training.TrainingJobRepository;
import io.adapterops.service.web.ApiException;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.Map;

/** Creates adapters and registers their versions; every creation is audited. */
@Singleton
public class AdapterRegistry {
    private final AdapterRepository adapters;
    private final AdapterVersionRepository versions;
    private final TrainingJobRepository jobs;
    private final AuditLog audit;
    private final ApplicationEventPublisher<VersionRegistered> events;

    public AdapterRegistry(AdapterRepository adapters, AdapterVersionRepository versions, TrainingJobRepository jobs,
                           AuditLog audit, ApplicationEventPublisher<VersionRegistered> events) {
        this.events = events;
        this.adapters = adapters;
        this.versions = versions;
        this.jobs = jobs;
        this.audit = audit;
    }

    @Transactional
    public Adapter create(String name, String baseModel, @Nullable String description, String actor) {
        if (adapters.existsByName(name)) {
            throw ApiException.conflict("already-exists", "adapter '" + name + "' already exists", Map.of("field", "name"));
        }
        Adapter saved = adapters.save(new Adapter(null, name, baseModel, description, actor, Instant.now()));
        audit.record(actor, "adapter.created", "adapter:" + name, null, null, "base model " + baseModel);
        return saved;
    }

    @Transactional
    public VersionRef register(String adapterName, String artifactUri, @Nullable Long trainingJobId,
                               @Nullable String description, String actor) {
        Adapter adapter = adapters.findByName(adapterName)
                .orElseThrow(() -> ApiException.notFound("adapter", adapterName));
        if (trainingJobId != null && jobs.findById(trainingJobId).isEmpty()) {
            throw ApiException.badField("trainingJobId", "training job " + trainingJobId + " does not exist");
        }
        int number = versions.maxNumber(adapter.id()) + 1;
        Instant now = Instant.now();
        AdapterVersion saved = versions.save(new AdapterVersion(null, adapter.id(), number, VersionState.REGISTERED,
                artifactUri, trainingJobId, description, null, null, null, actor, now, now, null));
        VersionRef ref = new VersionRef(adapter, saved);
        audit.record(actor, "version.registered", ref.subject(), null, VersionState.REGISTERED.name(), artifactUri);
        events.publishEvent(new VersionRegistered(adapter.name(), number, artifactUri, trainingJobId, description,
                actor));
        return ref;
    }
}
