package org.contactrouter.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
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
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.EnumMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.contactrouter.access.Caller;
import org.contactrouter.channels.webchat.ClientAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listeners: health, metrics, the API, the pages, and whatever routes adapters and the desktop contribute.
 * One internal listener serves every route; an optional public listener serves only the {@link Policy.Door#PUBLIC}
 * ones (Twilio's webhooks, the chat, health), so an operator can expose just those.
 *
 * <p>Each connection's pipeline: a connection limit (per client address and in all), TLS when configured, the codec,
 * timeouts (idle, and a whole request within a limit), keep-alive, a size-limited aggregator (larger bodies get the
 * usual JSON 413, with or without {@code Expect: 100-continue}), the front desk (client address, Host check), the
 * handlers in front of the routes (the chat and the agent feed), then the routes. The route handler runs on the event
 * loop only to find the route and check who is calling; the route's work runs on the pool it declares (general,
 * ledger, sign-in), each with a bounded queue, so a hung database or a sign-in storm stalls only its own routes.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    static final int MAX_BODY_BYTES = 256 * 1024;
    /** The channel attribute holding the client's address; the chat reads it for its per-client limits. */
    public static final AttributeKey<String> CLIENT_ADDRESS = ClientAddress.KEY;

    /**
     * One listener.
     *
     * @param name        for logs and the banner: "internal" or "public"
     * @param host        interface to bind
     * @param port        port (0 picks a free one)
     * @param tls         the current TLS context, or null for plain HTTP
     * @param publicDoors true to serve only the public routes and handlers
     */
    public record Listener(String name, String host, int port, Supplier<SslContext> tls, boolean publicDoors) {
    }

    /** A handler in front of the routes and the door it belongs to. */
    public record InFront(Policy.Door door, Supplier<ChannelHandler> handler) {
    }

    /**
     * What every listener checks.
     *
     * @param hostNames        the names this server answers to (Host header); empty accepts any
     * @param clients          how the client's address is found
     * @param authenticate     the caller a bearer token or key proves (null for none)
     * @param connectionsPerAddress open connections one client address may have
     * @param maxConnections   open connections in all
     * @param apiRequests      per client address, for /api routes
     * @param idleTimeout      a connection with no request in progress is closed after this
     * @param requestTimeout   a request must arrive whole within this (else 408)
     */
    public record Gate(Set<String> hostNames, ClientAddresses clients, Function<String, Caller> authenticate,
                       int connectionsPerAddress, int maxConnections, RateLimits apiRequests, Duration idleTimeout,
                       Duration requestTimeout) {
        public Gate {
            hostNames = Set.copyOf(hostNames);
        }

    }

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Map<Route.Work, ExecutorService> pools = new EnumMap<>(Route.Work.class);
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final AtomicInteger allConnections = new AtomicInteger();
    private final List<Channel> channels = new ArrayList<>();

    private HttpServer() {
        pools.put(Route.Work.GENERAL, pool("routes", 8, 1024));
        pools.put(Route.Work.LEDGER, pool("ledger-reads", 4, 64));
        pools.put(Route.Work.SIGN_IN, pool("sign-in", 2, 32));
    }

    private static ExecutorService pool(String name, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** A plain loopback server with an open gate, for tests of routes alone. */
    public static HttpServer start(String host, int port, List<Route> routes) throws InterruptedException {
        return start(List.of(new Listener("internal", host, port, null, false)),
                new Gate(Set.of(), ClientAddresses.DIRECT, token -> Caller.ANONYMOUS, 1000, 10_000,
                        new RateLimits(1000, 1000, 1000, java.time.Clock.systemUTC()), Duration.ofSeconds(30),
                        Duration.ofSeconds(30)),
                routes, List.of());
    }

    /** Binds every listener and serves {@code routes}, with {@code inFront} handlers before them. */
    public static HttpServer start(List<Listener> listeners, Gate gate, List<Route> routes, List<InFront> inFront)
            throws InterruptedException {
        HttpServer server = new HttpServer();
        try {
            for (Listener l : listeners) {
                server.bind(l, gate, routes, inFront);
            }
            return server;
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void bind(Listener listener, Gate gate, List<Route> routes, List<InFront> inFront)
            throws InterruptedException {
        List<Route> served = routes.stream()
                .filter(r -> !listener.publicDoors() || r.policy().door() == Policy.Door.PUBLIC).toList();
        List<InFront> front = inFront.stream()
                .filter(h -> !listener.publicDoors() || h.door() == Policy.Door.PUBLIC).toList();
        Channel channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        ChannelPipeline p = c.pipeline();
                        p.addLast("limit", new ConnectionLimit(gate, listener.tls() != null));
                        if (listener.tls() != null) {
                            p.addLast("tls", listener.tls().get().newHandler(c.alloc()));
                        }
                        p.addLast("codec", new HttpServerCodec())
                                .addLast("timeouts", new Timeouts(gate.idleTimeout(), gate.requestTimeout()))
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregate", new JsonErrorAggregator(MAX_BODY_BYTES))
                                .addLast("front-desk", new FrontDesk(gate));
                        for (InFront h : front) {
                            p.addLast(h.handler().get());
                        }
                        p.addLast("routes", new RouteHandler(served, gate, pools));
                    }
                })
                .bind(listener.host(), listener.port()).sync().channel();
        channels.add(channel);
        LOG.debug("{} listener on {}", listener.name(), channel.localAddress());
    }

    /** The first listener's port (the internal one). */
    public int port() {
        return port(0);
    }

    /** The port of the {@code i}-th listener, in the order given to {@link #start}. */
    public int port(int i) {
        return ((InetSocketAddress) channels.get(i).localAddress()).getPort();
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        // Connections first (open WebSockets among them), then the pools their routes ran on.
        boss.shutdownGracefully(50, 5_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        workers.shutdownGracefully(50, 5_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        pools.values().forEach(ExecutorService::shutdownNow);
    }

    static FullHttpResponse response(HttpResponse answer) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                Unpooled.wrappedBuffer(answer.body()));
        if (answer.contentType() != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        answer.headers().forEach((name, value) -> res.headers().set(name, value));
        HttpUtil.setContentLength(res, answer.body().length);
        return res;
    }

    /** Writes an answer and closes the connection after it. */
    static void answerAndClose(ChannelHandlerContext ctx, HttpResponse answer) {
        FullHttpResponse res = response(answer);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    static HttpResponse tooMany(String what, long retryAfterSeconds) {
        return HttpResponse.error(HttpResponseStatus.TOO_MANY_REQUESTS, what + "; try again in " + retryAfterSeconds
                + " s").withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }

    /** Open connections per client address and in all; one over either limit is answered 429 and closed. */
    final class ConnectionLimit extends ChannelInboundHandlerAdapter {
        private final Gate gate;
        private final boolean tls;
        private String key;

        ConnectionLimit(Gate gate, boolean tls) {
            this.gate = gate;
            this.tls = tls;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
            // Behind a trusted proxy all clients share its address: the per-address limit applies to them one by one
            // through the API's request limit instead.
            key = gate.clients().isTrusted(peer) ? null : peer.getHostAddress();
            int mine = key == null ? 0 : connections.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            int all = allConnections.incrementAndGet();
            if (mine > gate.connectionsPerAddress() || all > gate.maxConnections()) {
                LOG.debug("connection from {} refused: {} open from it, {} in all", peer, mine, all);
                if (tls) {
                    ctx.close();
                } else {
                    byte[] body = ("{\"status\":429,\"error\":\"too many open connections from one address (at most "
                            + gate.connectionsPerAddress() + "); close some and try again\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    String head = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 5"
                            + "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            allConnections.decrementAndGet();
            if (key != null) {
                connections.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
            ctx.fireChannelInactive();
        }
    }

    /**
     * Time limits of a connection: with no request in progress (a new connection still sending its headers, or an
     * idle keep-alive) it is closed after {@code idle}; once the headers are in, the body must follow within
     * {@code request} (else 408). While a route works there is no limit here. A WebSocket upgrade ends this
     * handler's part: the sockets have their own idle rules.
     */
    static final class Timeouts extends ChannelDuplexHandler {
        private final Duration idle;
        private final Duration request;
        private ScheduledFuture<?> timer;

        Timeouts(Duration idle, Duration request) {
            this.idle = idle;
            this.request = request;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                arm(ctx, idle, false);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            arm(ctx, idle, false);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                arm(ctx, request, true);
            }
            if (msg instanceof LastHttpContent) {
                cancel();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof io.netty.handler.codec.http.HttpResponse res) {
                if (res.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                    cancel();
                    ctx.pipeline().remove(this);
                    ctx.write(msg, promise);
                    return;
                }
            }
            ctx.write(msg, promise);
            if (msg instanceof LastHttpContent && !(msg instanceof FullHttpResponse f && f.status().code() < 200)) {
                arm(ctx, idle, false);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }

        private void arm(ChannelHandlerContext ctx, Duration after, boolean answer) {
            cancel();
            timer = ctx.executor().schedule(() -> {
                if (answer) {
                    answerAndClose(ctx, HttpResponse.error(HttpResponseStatus.REQUEST_TIMEOUT,
                            "the request did not arrive whole within " + after.toSeconds() + " s"));
                } else {
                    ctx.close();
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** Aggregates a request up to a size; a larger one is answered 413 with the same JSON error as everything else. */
    static final class JsonErrorAggregator extends HttpObjectAggregator {
        JsonErrorAggregator(int maxContentLength) {
            super(maxContentLength);
        }

        private static HttpResponse tooLarge() {
            return HttpResponse.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body over "
                    + MAX_BODY_BYTES + " bytes (expected at most " + MAX_BODY_BYTES / 1024 + " KiB)");
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object netty = super.newContinueResponse(start, maxContentLength, pipeline);
            if (netty instanceof FullHttpResponse res && res.status().code() >= 400) {
                HttpResponse answer = res.status().code() == 413 ? tooLarge()
                        : HttpResponse.error(res.status(), "unsupported Expect header (only 100-continue is)");
                ReferenceCountUtil.release(res);
                FullHttpResponse json = response(answer);
                json.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                return json;
            }
            return netty;
        }

        @Override
        protected boolean closeAfterContinueResponse(Object msg) {
            return msg instanceof FullHttpResponse res && res.status().code() >= 400;
        }

        /**
         * A keep-alive client still sending the body gets the 413 at once, and the rest of its body is read and
         * dropped (the idle limit bounds how long), so it reads the answer rather than a reset connection; otherwise
         * the connection closes after the answer.
         */
        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            if (oversized instanceof io.netty.handler.codec.http.FullHttpMessage
                    || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized)) {
                answerAndClose(ctx, tooLarge());
            } else {
                ctx.writeAndFlush(response(tooLarge())).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }

    /**
     * What every request passes first, the chat's and the agent feed's too: a malformed request is a 400, the
     * client's address is settled, and the Host must be one of this server's names (a page on another site that
     * points a name of its own at this server, DNS rebinding, gets 421 and reads nothing).
     */
    static final class FrontDesk extends ChannelInboundHandlerAdapter {
        private final Gate gate;

        FrontDesk(Gate gate) {
            this.gate = gate;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest req)) {
                ctx.fireChannelRead(msg);
                return;
            }
            HttpResponse refusal = null;
            if (!req.decoderResult().isSuccess()) {
                refusal = HttpResponse.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: "
                        + req.decoderResult().cause().getMessage());
            } else {
                InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
                ctx.channel().attr(CLIENT_ADDRESS).set(gate.clients().resolve(peer,
                        req.headers().get("X-Forwarded-For")));
                String host = hostName(req.headers().get(HttpHeaderNames.HOST));
                if (host == null) {
                    refusal = HttpResponse.error(HttpResponseStatus.BAD_REQUEST, "missing or malformed Host header");
                } else if (!gate.hostNames().isEmpty() && !gate.hostNames().contains(host)) {
                    refusal = HttpResponse.error(HttpResponseStatus.MISDIRECTED_REQUEST, "this server does not "
                            + "answer to the name '" + host + "' (its names are in http.publicNames)");
                }
            }
            if (refusal != null) {
                ReferenceCountUtil.release(req);
                answerAndClose(ctx, refusal);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        /** The host name of a Host header, lower case, without port; null when malformed. */
        static String hostName(String header) {
            if (header == null || header.isBlank() || header.length() > 255) {
                return null;
            }
            String h = header.strip().toLowerCase(Locale.ROOT);
            if (h.startsWith("[")) {
                int end = h.indexOf(']');
                return end < 0 ? null : h.substring(1, end);
            }
            int colon = h.indexOf(':');
            if (colon >= 0 && h.indexOf(':', colon + 1) >= 0) {
                return null;
            }
            return colon < 0 ? h : h.substring(0, colon);
        }
    }

    /**
     * Finds the route and checks the caller (on the event loop: no waiting there), then runs the route on its pool
     * and writes the answer. One request at a time per connection: reading pauses while a route works, so answers
     * keep the order of requests and a client cannot queue work faster than it is done.
     */
    static final class RouteHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final List<Route> routes;
        private final Gate gate;
        private final Map<Route.Work, ExecutorService> pools;

        RouteHandler(List<Route> routes, Gate gate, Map<Route.Work, ExecutorService> pools) {
            this.routes = routes;
            this.gate = gate;
            this.pools = pools;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            QueryStringDecoder uri;
            String path;
            try {
                uri = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, 256);
                path = uri.path();
                uri.parameters();
            } catch (IllegalArgumentException e) {
                write(ctx, HttpResponse.error(HttpResponseStatus.BAD_REQUEST, "malformed URL: " + e.getMessage()),
                        keepAlive);
                return;
            }
            Route route = null;
            Map<String, String> params = null;
            List<String> allowed = new ArrayList<>();
            for (Route r : routes) {
                Map<String, String> p = r.match(path);
                if (p == null) {
                    continue;
                }
                if (!allowed.contains(r.method())) {
                    allowed.add(r.method());
                }
                if (route == null && r.method().equals(req.method().name())) {
                    route = r;
                    params = p;
                }
            }
            if (route == null) {
                write(ctx, allowed.isEmpty()
                        ? HttpResponse.error(HttpResponseStatus.NOT_FOUND, "no such resource: " + path)
                        : HttpResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " is not allowed on "
                        + path).withHeader("Allow", String.join(", ", allowed)), keepAlive);
                return;
            }
            String client = ctx.channel().attr(CLIENT_ADDRESS).get();
            HttpResponse refusal = check(route, req, path, client);
            Caller caller = Caller.ANONYMOUS;
            if (refusal == null) {
                caller = gate.authenticate().apply(bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION)));
                if (!route.policy().allows().test(caller)) {
                    refusal = caller instanceof Caller.Anonymous
                            ? HttpResponse.error(HttpResponseStatus.UNAUTHORIZED, "sign in first: send "
                            + "'Authorization: Bearer <token or API key>' (agents: POST /api/agent/login)")
                            .withHeader("WWW-Authenticate", "Bearer")
                            : HttpResponse.error(HttpResponseStatus.FORBIDDEN, "not allowed for you: " + req.method()
                            + " " + route.template() + " is for " + route.policy().name());
                }
            }
            if (refusal != null) {
                write(ctx, refusal, keepAlive);
                return;
            }
            Map<String, String> headers = new HashMap<>();
            req.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            int q = req.uri().indexOf('?');
            org.contactrouter.server.http.HttpRequest request = new org.contactrouter.server.http.HttpRequest(
                    req.method().name(), path, params, uri.parameters(), q < 0 ? null : req.uri().substring(q + 1),
                    headers, ByteBufUtil.getBytes(req.content()), caller, client);
            Route chosen = route;
            ctx.channel().config().setAutoRead(false);
            try {
                pools.get(route.work()).execute(() -> run(chosen, request)
                        .whenComplete((answer, failure) -> write(ctx, answer != null ? answer : failed(request, failure),
                                keepAlive)));
            } catch (RejectedExecutionException e) {
                write(ctx, HttpResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the server is busy with "
                        + "requests like this one; try again shortly").withHeader("Retry-After", "2"), keepAlive);
            }
        }

        /** What refuses a request before anyone looks at its credentials: its size of work, its body type. */
        private HttpResponse check(Route route, FullHttpRequest req, String path, String client) {
            if (route.body() != Route.Body.NONE) {
                String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
                String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
                if (!media.equals(route.body().mediaType) && !(req.content().readableBytes() == 0 && type == null)) {
                    return HttpResponse.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, req.method() + " "
                            + route.template() + " takes Content-Type: " + route.body().mediaType + " (got '"
                            + (type == null ? "none" : type) + "')");
                }
            }
            if (route.policy().door() == Policy.Door.INTERNAL && path.startsWith("/api/") && client != null) {
                long wait = gate.apiRequests().take(client);
                if (wait > 0) {
                    return tooMany("too many API requests from " + client, wait);
                }
            }
            return null;
        }

        /** The route's answer, now or later; a route that throws has its failure as the answer. */
        private static CompletionStage<HttpResponse> run(Route route, org.contactrouter.server.http.HttpRequest request) {
            try {
                return route.handler().handle(request);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        /** What a failed route answers: 400 or 403 for what the request did wrong, else 500 and the log. */
        private static HttpResponse failed(org.contactrouter.server.http.HttpRequest request, Throwable failure) {
            Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                    : failure;
            if (e instanceof org.contactrouter.server.http.HttpRequest.BadRequest) {
                return HttpResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
            }
            if (e instanceof org.contactrouter.server.http.HttpRequest.Forbidden) {
                return HttpResponse.error(HttpResponseStatus.FORBIDDEN, e.getMessage());
            }
            LOG.error("{} {} failed", request.method(), request.path(), e);
            return HttpResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error; the server log has the details");
        }

        private static String bearer(String authorization) {
            return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? authorization.substring(7).strip() : null;
        }

        private static void write(ChannelHandlerContext ctx, HttpResponse answer, boolean keepAlive) {
            FullHttpResponse res = response(answer);
            HttpUtil.setKeepAlive(res, keepAlive);
            Channel channel = ctx.channel();
            if (keepAlive) {
                ctx.writeAndFlush(res).addListener(f -> channel.config().setAutoRead(true));
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
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
