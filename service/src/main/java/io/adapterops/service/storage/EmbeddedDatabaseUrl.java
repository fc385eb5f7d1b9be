package io.adapterops.service.storage;

import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/**
 * H2 refuses a file path that is relative to the working directory unless it starts with {@code ./}
 * ({@code ADAPTEROPS_DATA_DIR=data} would fail at start-up): an H2 file URL gets its path made
 * absolute before the pool opens, so any data dir a user names works.
 */
@Singleton
class EmbeddedDatabaseUrl implements BeanCreatedEventListener<DatasourceConfiguration> {
    private static final String PREFIX = "jdbc:h2:file:";

    @Override
    public DatasourceConfiguration onCreated(BeanCreatedEvent<DatasourceConfiguration> event) {
        DatasourceConfiguration config = event.getBean();
        String url = config.getUrl();
        if (url != null && url.startsWith(PREFIX)) {
            config.setUrl(absolute(url));
        }
        return config;
    }

    static String absolute(String url) {
        String rest = url.substring(PREFIX.length());
        int options = rest.indexOf(';');
        String file = options < 0 ? rest : rest.substring(0, options);
        String tail = options < 0 ? "" : rest.substring(options);
        if (file.startsWith("~")) {
            return url;
        }
        return PREFIX + Path.of(file).toAbsolutePath().normalize() + tail;
    }
}
