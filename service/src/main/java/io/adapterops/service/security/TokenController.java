package io.adapterops.service.security;

import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.data.model.Sort;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Admin-only management of API tokens. A new token's secret appears in the response once. */
@Controller("/api/v1/admin/tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured(Roles.ADMIN)
public class TokenController {
    private final ApiTokens tokens;
    private final ApiTokenRepository repository;

    public TokenController(ApiTokens tokens, ApiTokenRepository repository) {
        this.tokens = tokens;
        this.repository = repository;
    }

    @Serdeable
    public record IssueTokenRequest(
            @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._@-]+") String name,
            @NotNull @NotEmpty List<@NotBlank String> roles) {
    }

    @Serdeable
    public record TokenView(long id, String name, List<String> roles, String createdBy, Instant createdAt,
                            Instant revokedAt) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id(), t.name(), Arrays.asList(t.roles().split(",")), t.createdBy(),
                    t.createdAt(), t.revokedAt());
        }
    }

    @Serdeable
    public record IssuedTokenView(TokenView token, String secret) {
    }

    @Post
    public HttpResponse<IssuedTokenView> issue(@Valid @Body IssueTokenRequest request, Authentication user) {
        ApiTokens.Issued issued = tokens.issue(request.name(), request.roles(), user.getName());
        return HttpResponse.created(new IssuedTokenView(TokenView.of(issued.token()), issued.secret()));
    }

    @Get
    public PageView<TokenView> list(@QueryValue(defaultValue = "0") int page,
                                    @QueryValue(defaultValue = "20") int size) {
        return PageView.of(repository.findAll(Paging.of(page, size, Sort.of(Sort.Order.asc("id")))),
                TokenView::of);
    }

    @Delete("/{id}")
    public TokenView revoke(long id, Authentication user) {
        return TokenView.of(tokens.revoke(id, user.getName()));
    }
}
