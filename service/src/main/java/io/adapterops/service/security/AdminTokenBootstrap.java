package io.adapterops.service.security;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

import java.io.PrintStream;
import java.util.List;

/**
 * Makes sure someone can call the API after the first start: a configured admin token is
 * registered; otherwise, on an empty token table, one is created and printed once to standard
 * output (never to the log). Only its hash is kept.
 */
@Singleton
public class AdminTokenBootstrap {
    private final ApiTokens tokens;
    private final String configured;

    public AdminTokenBootstrap(ApiTokens tokens, @Value("${adapterops.admin-token:}") String configured) {
        this.tokens = tokens;
        this.configured = configured;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        if (!configured.isBlank()) {
            tokens.ensure(configured.strip(), "admin", List.of(Roles.ADMIN));
        } else if (!tokens.anyActive()) {
            ApiTokens.Issued issued = tokens.issue("admin", List.of(Roles.ADMIN), "system");
            PrintStream out = System.out;
            out.println();
            out.println("AdapterOps admin token (shown once, only its hash is stored; keep it now):");
            out.println("  " + issued.secret());
            out.println();
            out.flush();
        }
    }
}
