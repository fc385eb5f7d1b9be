package io.adapterops.service.security;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * Accepts the API's opaque {@code aop_} bearer tokens. JWTs (with a {@code roles} claim) are checked
 * by micronaut-security-jwt's own validator when signatures are configured.
 */
@Singleton
public class ApiTokenValidator implements TokenValidator<HttpRequest<?>> {
    private final ApiTokens tokens;

    public ApiTokenValidator(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Publisher<Authentication> validateToken(String token, HttpRequest<?> request) {
        return tokens.authenticate(token).map(Publishers::just).orElseGet(Publishers::empty);
    }
}
