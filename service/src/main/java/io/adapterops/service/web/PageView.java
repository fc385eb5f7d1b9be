package io.adapterops.service.web;

import io.micronaut.data.model.Page;
import io.micronaut.serde.annotation.Serdeable;

import java.util.List;
import java.util.function.Function;

/** One page of a list endpoint: the items and where they sit in the whole. */
@Serdeable
public record PageView<T>(List<T> items, int page, int size, long total) {
    public static <E, T> PageView<T> of(Page<E> page, Function<E, T> view) {
        return new PageView<>(page.getContent().stream().map(view).toList(),
                page.getPageNumber(), page.getSize(), page.getTotalSize());
    }
}
