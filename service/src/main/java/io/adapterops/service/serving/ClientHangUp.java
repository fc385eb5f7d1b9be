package io.adapterops.service.serving;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * Cancels a non-streaming generation when its client's connection closes before the answer.
 * Micronaut cancels a streamed body when the client goes away, but not a single-valued response,
 * so the connection's own close future is watched; the listener goes once the result is recorded,
 * so a kept-alive connection does not gather them.
 */
final class ClientHangUp {
    private ClientHangUp() {
    }

    static void cancelOnClose(HttpRequest<?> request, Completions.Started started) {
        if (!(request instanceof NettyHttpRequest<?> netty)) {
            return;
        }
        Channel channel = netty.getChannelHandlerContext().channel();
        GenericFutureListener<Future<? super Void>> cancel = closed -> started.handle().cancel();
        channel.closeFuture().addListener(cancel);
        started.finished().whenComplete((result, error) -> channel.closeFuture().removeListener(cancel));
    }
}
