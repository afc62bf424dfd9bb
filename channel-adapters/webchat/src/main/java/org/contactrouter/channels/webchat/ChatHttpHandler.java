package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The chat's part of one HTTP connection: serves the demo page and the widget script, and turns a handshake on
 * {@code /chat/ws} from an allowed origin, within its client address's limits, into a chat socket. Every other request
 * goes on down the pipeline as it came, without being read or released.
 */
final class ChatHttpHandler extends ChannelInboundHandlerAdapter {

    private static final String TEXT = "text/plain; charset=utf-8";

    private final WebChat chat;

    ChatHttpHandler(WebChat chat) {
        this.chat = chat;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || !req.decoderResult().isSuccess()) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).rawPath();
        boolean page = path.equals(WebChat.PAGE_PATH) || path.equals(WebChat.PAGE_PATH + "/");
        boolean script = path.equals(WebChat.SCRIPT_PATH);
        boolean socket = path.equals(WebChat.SOCKET_PATH);
        if (!page && !script && !socket) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!req.method().equals(HttpMethod.GET)) {
                FullHttpResponse res = response(req, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                        (req.method() + " is not allowed on " + path + "; use GET.").getBytes(StandardCharsets.UTF_8));
                res.headers().set(HttpHeaderNames.ALLOW, "GET");
                write(ctx, req, res);
            } else if (page) {
                FullHttpResponse res = response(req, HttpResponseStatus.OK, "text/html; charset=utf-8", chat.page());
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
                write(ctx, req, res);
            } else if (script) {
                FullHttpResponse res = response(req, HttpResponseStatus.OK, "text/javascript; charset=utf-8", chat.script());
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=300");
                write(ctx, req, res);
            } else {
                upgrade(ctx, req);
            }
        } finally {
            req.release();
        }
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            write(ctx, req, response(req, HttpResponseStatus.BAD_REQUEST, TEXT,
                    ("GET " + WebChat.SOCKET_PATH + " is the chat's WebSocket: send 'Upgrade: websocket'.")
                            .getBytes(StandardCharsets.UTF_8)));
            return;
        }
        String refusal = Origins.refusal(req.headers().get(HttpHeaderNames.ORIGIN), req.headers().get(HttpHeaderNames.HOST),
                chat.allowedOrigins());
        if (refusal != null) {
            FullHttpResponse res = response(req, HttpResponseStatus.FORBIDDEN, TEXT, refusal.getBytes(StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ChatSettings settings = chat.settings();
        WebSocketDecoderConfig frames = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(settings.maxMessageBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
        String location = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + WebChat.SOCKET_PATH;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, frames).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        String address = ClientAddress.of(ctx.channel());
        ClientLimits.Refusal tooMany = chat.limits().open(address);
        if (tooMany != null) {
            ObjectNode error = ChatFrames.JSON.createObjectNode().put("status", 429).put("error", tooMany.reason());
            FullHttpResponse res = response(req, HttpResponseStatus.TOO_MANY_REQUESTS, "application/json; charset=utf-8",
                    ChatFrames.write(error).getBytes(StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.RETRY_AFTER, tooMany.retryAfterSeconds());
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.channel().closeFuture().addListener(f -> chat.limits().closed(address));
        // From here on the connection carries chat frames: HTTP keep-alive no longer applies, the handshake itself
        // replaces the codec and removes the aggregator.
        ChannelPipeline p = ctx.pipeline();
        if (p.get(HttpServerKeepAliveHandler.class) != null) {
            p.remove(HttpServerKeepAliveHandler.class);
        }
        long halfIdle = Math.max(1, settings.idleTimeout().toMillis() / 2);
        String language = WebChat.preferredLanguage(req.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE));
        p.addBefore(ctx.name(), "chat-idle", new IdleStateHandler(halfIdle, 0, 0, TimeUnit.MILLISECONDS));
        p.addBefore(ctx.name(), "chat-frames", new WebSocketFrameAggregator(settings.maxMessageBytes()));
        p.replace(this, "chat-socket", new ChatSocketHandler(chat, handshaker, address, language));
        handshaker.handshake(ctx.channel(), req).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                chat.opened(f.channel());
            } else {
                f.channel().close();
            }
        });
    }

    private static FullHttpResponse response(FullHttpRequest req, HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setContentLength(res, body.length);
        return res;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
