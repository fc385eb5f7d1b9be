package io.adapterops.service.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The machine's floor for a served request: a bare Netty HTTP server (the transport the service
 * runs on) with no service code, whose handler hands each request to a one-thread "engine" that
 * holds a core for a fixed time, as a generation does, and writes a fixed answer when it ends.
 * Its overhead has only what no server can skip: the client's send, the event loop's read, the
 * wake-up of the engine thread, the hop back to the event loop and the client's read, each thread
 * waking after a long sleep while a core was busy. Answers carry {@code Server-Timing} like the
 * service's so the bench times both the same way.
 */
final class NettyFloor implements AutoCloseable {
    private static final byte[] ANSWER = "{\"object\":\"text_completion\"}".getBytes(StandardCharsets.UTF_8);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ExecutorService engine = Executors.newSingleThreadExecutor(r -> new Thread(r, "floor-engine"));
    private final Channel server;
    private volatile long busyNanos;
    private volatile long sink;

    NettyFloor() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** How long the engine holds its core for each request from now on. */
    void busyMillis(double ms) {
        busyNanos = (long) (ms * 1e6);
    }

    /** Keeps the engine's core busy, as a generation's forward passes do, and returns the milliseconds held. */
    private double hold() {
        long start = System.nanoTime();
        long end = start + busyNanos;
        long x = start;
        while (System.nanoTime() < end) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        sink = x;
        return (System.nanoTime() - start) / 1e6;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            CompletableFuture.supplyAsync(NettyFloor.this::hold, engine).thenAccept(ms -> {
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(ANSWER));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set(HttpHeaderNames.CONTENT_LENGTH, ANSWER.length)
                        .set("Server-Timing", "engine;dur=" + ms + ", total;dur=" + ms);
                ctx.writeAndFlush(res);
            });
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        engine.shutdownNow();
        group.shutdownGracefully().sync();
    }
}
