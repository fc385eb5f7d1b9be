package io.adapterops.service.web;

import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.Sort;

/** Turns the {@code page}/{@code size} query parameters into a Pageable, refusing nonsense. */
public final class Paging {
    public static final int MAX_SIZE = 200;

    private Paging() {
    }

    public static Pageable of(int page, int size, Sort sort) {
        if (page < 0) {
            throw ApiException.badField("page", "page must be 0 or more, got " + page);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw ApiException.badField("size", "size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        return Pageable.from(page, size, sort);
    }
}
