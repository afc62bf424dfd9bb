package org.contactrouter.server.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.contactrouter.access.Authenticator;
import org.contactrouter.access.Caller;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.wire.DecisionJson;

/**
 * The agents' live feed: {@code GET /agent/ws?token=<sign-in token>} upgrades to a WebSocket that carries every
 * decision about the agent (offers, assignments, customer messages on their contacts, transfers to and from them,
 * follow-ups coming due, their presence) as it is committed: {@code {"type":"decision","decision":{...}}}, the
 * decision in the form of {@code routing.decisions}. Actions go the other way over REST ({@link AgentGateway}).
 *
 * <p>Browsers cannot send headers on a WebSocket, hence the token in the query. Only pages of this server may open it
 * (the Origin must be the server's own), so another site cannot use a token it got hold of in a visitor's browser.
 */
public final class AgentSocket {

    static final String PATH = "/agent/ws";
    private static final int MAX_FRAME = 4096;

    private final Authenticator authenticator;
    private final Map<String, Set<Channel>> byAgent = new ConcurrentHashMap<>();
    private final Map<Channel, String> tokens = new ConcurrentHashMap<>();

    AgentSocket(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Closes every feed whose token no longer holds (signed out, removed from agents.yaml, password changed). */
    void recheck() {
        tokens.forEach((channel, token) -> {
            if (!(authenticator.authenticate(token) instanceof Caller.Agent)) {
                channel.writeAndFlush(new CloseWebSocketFrame(4401, "signed out"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    /** A handler for one connection, in front of the routes. */
    public ChannelHandler newHandler() {
        return new Handshake();
    }

    /** Sends a decision to the sockets of the agents it is about. */
    void publish(RoutingDecision d) {
        if (byAgent.isEmpty()) {
            return;
        }
        String frame = null;
        for (String agent : List.of(d.agentId() == null ? "" : d.agentId(),
                d.previousAgentId() == null ? "" : d.previousAgentId())) {
            Set<Channel> sockets = byAgent.get(agent);
            if (sockets == null || sockets.isEmpty()) {
                continue;
            }
            if (frame == null) {
                frame = "{\"type\":\"decision\",\"decision\":" + DecisionJson.write(d) + "}";
            }
            for (Channel c : sockets) {
                c.writeAndFlush(new TextWebSocketFrame(frame));
            }
            if (agent.equals(d.previousAgentId()) && agent.equals(d.agentId())) {
                break;
            }
        }
    }

    /** Open sockets of one agent, for tests and health. */
    int openSockets(String agentId) {
        Set<Channel> s = byAgent.get(agentId);
        return s == null ? 0 : s.size();
    }

    private final class Handshake extends ChannelInboundHandlerAdapter {
        private WebSocketServerHandshaker handshaker;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req && new QueryStringDecoder(req.uri()).path().equals(PATH)) {
                try {
                    upgrade(ctx, req);
                } finally {
                    ReferenceCountUtil.release(req);
                }
            } else if (msg instanceof WebSocketFrame frame && handshaker != null) {
                try {
                    if (frame instanceof CloseWebSocketFrame close) {
                        handshaker.close(ctx.channel(), close.retain());
                    } else if (frame instanceof PingWebSocketFrame ping) {
                        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                    }
                    // Text frames are ignored: actions go over REST, where each gets its answer.
                } finally {
                    ReferenceCountUtil.release(frame);
                }
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
            String token = new QueryStringDecoder(req.uri()).parameters().getOrDefault("token", List.of()).stream()
                    .findFirst().orElse(null);
            String agent = authenticator.authenticate(token) instanceof Caller.Agent a ? a.id() : null;
            if (agent == null) {
                refuse(ctx, HttpResponseStatus.UNAUTHORIZED, "missing, expired or invalid token: sign in with POST "
                        + "/api/agent/login and open /agent/ws?token=<token>");
                return;
            }
            if (!sameOrigin(req)) {
                refuse(ctx, HttpResponseStatus.FORBIDDEN, "the agent feed may only be opened by this server's own "
                        + "pages (Origin must match Host)");
                return;
            }
            String url = "ws://" + req.headers().get(HttpHeaderNames.HOST) + PATH;
            handshaker = new WebSocketServerHandshakerFactory(url, null, false, MAX_FRAME).newHandshaker(req);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            if (ctx.pipeline().get("keep-alive") != null) {
                ctx.pipeline().remove("keep-alive");
            }
            Channel channel = ctx.channel();
            handshaker.handshake(channel, req).addListener(f -> {
                if (f.isSuccess()) {
                    byAgent.computeIfAbsent(agent, a -> ConcurrentHashMap.newKeySet()).add(channel);
                    tokens.put(channel, token);
                    channel.closeFuture().addListener(c -> {
                        byAgent.getOrDefault(agent, Set.of()).remove(channel);
                        tokens.remove(channel);
                    });
                    channel.writeAndFlush(new TextWebSocketFrame("{\"type\":\"welcome\",\"agentId\":\"" + agent + "\"}"));
                }
            });
        }

        private boolean sameOrigin(FullHttpRequest req) {
            String origin = req.headers().get(HttpHeaderNames.ORIGIN);
            String host = req.headers().get(HttpHeaderNames.HOST);
            if (origin == null) {
                return true; // not a browser: scripts and integrations authenticate with the token alone
            }
            try {
                URI o = URI.create(origin);
                return host != null && host.equalsIgnoreCase(o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort()));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
            byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
            HttpUtil.setContentLength(res, body.length);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
