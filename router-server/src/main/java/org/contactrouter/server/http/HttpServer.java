package org.contactrouter.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP port: health, metrics, the API, and whatever routes adapters and the desktop contribute. A pipeline of
 * small handlers: codec, keep-alive, a size-limited aggregator (larger bodies get 413), then the routes, which run on a
 * separate executor because they may wait on the database or Kafka; the event loop never blocks.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    static final int MAX_BODY_BYTES = 256 * 1024;

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final EventExecutorGroup routeExecutors = new DefaultEventExecutorGroup(4);
    private Channel channel;

    private HttpServer() {
    }

    /** Binds {@code host}:{@code port} (0 picks a free port) and serves {@code routes}. */
    public static HttpServer start(String host, int port, List<Route> routes) throws InterruptedException {
        return start(host, port, routes, List.of());
    }

    /**
     * Binds {@code host}:{@code port} and serves {@code routes}, with further handlers in front of them: each gets
     * every aggregated request first (on the event loop, so it must not block), answers those it owns (the chat
     * widget and its WebSocket upgrade) and passes the others on.
     */
    public static HttpServer start(String host, int port, List<Route> routes,
                                   List<Supplier<ChannelHandler>> inFront) throws InterruptedException {
        HttpServer server = new HttpServer();
        server.channel = new ServerBootstrap()
                .group(server.boss, server.workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline()
                                .addLast("codec", new HttpServerCodec())
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregate", new JsonErrorAggregator(MAX_BODY_BYTES));
                        for (Supplier<ChannelHandler> h : inFront) {
                            c.pipeline().addLast(h.get());
                        }
                        c.pipeline()
                                .addLast(server.routeExecutors, "routes", new RouteHandler(routes));
                    }
                })
                .bind(host, port).sync().channel();
        return server;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        // Connections first (open WebSockets among them), then the executors their routes ran on.
        boss.shutdownGracefully().syncUninterruptibly();
        workers.shutdownGracefully().syncUninterruptibly();
        routeExecutors.shutdownGracefully();
    }

    /** Aggregates a request up to a size; a larger one is answered 413 with the same JSON error as everything else. */
    static final class JsonErrorAggregator extends HttpObjectAggregator {
        JsonErrorAggregator(int maxContentLength) {
            super(maxContentLength);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
            HttpResponse answer = HttpResponse.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body over " + MAX_BODY_BYTES + " bytes (expected at most " + MAX_BODY_BYTES / 1024 + " KiB)");
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                    Unpooled.wrappedBuffer(answer.body()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            HttpUtil.setContentLength(res, answer.body().length);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Finds the route, calls it, writes the answer; every failure becomes a JSON error, never a crash. */
    static final class RouteHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final List<Route> routes;

        RouteHandler(List<Route> routes) {
            this.routes = routes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            HttpResponse answer;
            if (!req.decoderResult().isSuccess()) {
                answer = HttpResponse.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            } else {
                answer = answer(req);
            }
            String allow = answer.status().equals(HttpResponseStatus.METHOD_NOT_ALLOWED) ? allowed(req) : null;
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                    Unpooled.wrappedBuffer(answer.body()));
            if (answer.contentType() != null) {
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
            }
            answer.headers().forEach((name, value) -> res.headers().set(name, value));
            if (allow != null) {
                res.headers().set(HttpHeaderNames.ALLOW, allow);
            }
            HttpUtil.setContentLength(res, answer.body().length);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(res);
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** The methods the request's path allows, for the Allow header of a 405. */
        private String allowed(FullHttpRequest req) {
            String path = new QueryStringDecoder(req.uri()).path();
            return String.join(", ", routes.stream().filter(r -> r.match(path) != null).map(Route::method)
                    .distinct().toList());
        }

        private HttpResponse answer(FullHttpRequest req) {
            QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            String path = uri.path();
            boolean pathKnown = false;
            for (Route r : routes) {
                Map<String, String> params = r.match(path);
                if (params == null) {
                    continue;
                }
                pathKnown = true;
                if (!r.method().equals(req.method().name())) {
                    continue;
                }
                Map<String, String> headers = new java.util.HashMap<>();
                req.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(java.util.Locale.ROOT),
                        h.getValue()));
                int q = req.uri().indexOf('?');
                HttpRequest request = new HttpRequest(req.method().name(), path, params, uri.parameters(),
                        q < 0 ? null : req.uri().substring(q + 1), headers,
                        ByteBufUtil.getBytes(req.content()));
                try {
                    return r.handler().handle(request);
                } catch (HttpRequest.BadRequest e) {
                    return HttpResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
                } catch (Exception e) {
                    LOG.error("{} {} failed", req.method(), path, e);
                    return HttpResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "internal error; the server log has the details");
                }
            }
            return pathKnown
                    ? HttpResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " is not allowed on " + path)
                    : HttpResponse.error(HttpResponseStatus.NOT_FOUND, "no such resource: " + path);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                LOG.debug("request rejected: {}", cause.getMessage());
            } else {
                LOG.warn("HTTP connection failed", cause);
            }
            ctx.close();
        }
    }
}
