package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import org.contactrouter.events.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser tab's chat socket: reads the widget's frames ({@code hello}, {@code message}, {@code end}), keeps the
 * tab's message rate within the limit, pings a quiet tab and closes one that stopped answering.
 */
final class ChatSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger LOG = LoggerFactory.getLogger(ChatSocketHandler.class);
    /** The largest sequence number a browser can count to exactly (2^53 - 1). */
    private static final long MAX_SEQ = (1L << 53) - 1;

    private final WebChat chat;
    private final WebSocketServerHandshaker handshaker;
    private final String clientAddress;
    private final String acceptLanguage;
    private final RateLimit rate;
    private ChatSession session;

    ChatSocketHandler(WebChat chat, WebSocketServerHandshaker handshaker, String clientAddress, String acceptLanguage) {
        this.chat = chat;
        this.handshaker = handshaker;
        this.clientAddress = clientAddress;
        this.acceptLanguage = acceptLanguage;
        this.rate = new RateLimit(chat.settings().messagesPerTenSeconds(), 10_000);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            onText(ctx, text.text());
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            handshaker.close(ctx.channel(), (CloseWebSocketFrame) frame.retain());
        } else if (!(frame instanceof PongWebSocketFrame)) {
            error(ctx, "bad-frame", "The chat speaks JSON in text frames.");
        }
    }

    private void onText(ChannelHandlerContext ctx, String text) {
        JsonNode f;
        try {
            f = ChatFrames.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            error(ctx, "bad-frame", "A frame was not JSON: " + e.getOriginalMessage());
            return;
        }
        String type = f == null || !f.isObject() ? null : f.path("type").asText(null);
        if (type == null) {
            error(ctx, "bad-frame", "A frame must be a JSON object with a \"type\": hello, message or end.");
            return;
        }
        switch (type) {
            case "hello" -> hello(ctx, f);
            case "message" -> message(ctx, f);
            case "end" -> {
                if (session != null) {
                    chat.end(session);
                }
            }
            default -> error(ctx, "bad-frame", "Unknown frame type \"" + type + "\" (expected hello, message or end).");
        }
    }

    private void hello(ChannelHandlerContext ctx, JsonNode f) {
        if (session != null) {
            error(ctx, "invalid-hello", "This connection already said hello; its chat is " + session.id + ".");
            return;
        }
        String email = text(f, "email");
        String token = text(f, "visitorToken");
        VisitorTokens.Visitor visitor = null;
        String tokenRefused = null;
        if (token != null && !token.isBlank()) {
            try {
                visitor = chat.visitorTokens().verify(token, chat.clock().instant());
            } catch (VisitorTokens.InvalidToken e) {
                tokenRefused = e.getMessage();
            }
        }
        String name;
        String claimedEmail = null;
        try {
            name = WebChat.visitorName(visitor != null && visitor.name() != null ? visitor.name() : text(f, "name"));
            if (email != null && !email.isBlank()) {
                claimedEmail = Identity.email(email).value();
            }
        } catch (IllegalArgumentException e) {
            String message = e.getMessage().startsWith("email:")
                    ? "The email address '" + email + "' does not look right; write it like ann@example.com."
                    : e.getMessage();
            error(ctx, "invalid-hello", message);
            return;
        }
        String language = WebChat.language(text(f, "language"));
        session = chat.hello(ctx.channel(), clientAddress, text(f, "session"), name, claimedEmail,
                visitor != null ? visitor.email() : null, language != null ? language : acceptLanguage);
        if (session != null && tokenRefused != null) {
            error(ctx, "invalid-token", "We could not confirm that you are signed in (" + tokenRefused + "), so the"
                    + " agent sees the email address you gave as not confirmed. You can chat all the same.");
        }
    }

    private void message(ChannelHandlerContext ctx, JsonNode f) {
        JsonNode seqNode = f.get("seq");
        JsonNode textNode = f.get("text");
        if (session == null) {
            error(ctx, "no-session", "Say hello before sending messages.");
            return;
        }
        if (seqNode == null || !seqNode.isIntegralNumber() || seqNode.asLong() < 1 || seqNode.asLong() > MAX_SEQ) {
            error(ctx, "bad-frame", "A message needs \"seq\", a whole number from 1 that the widget counts up.");
            return;
        }
        long seq = seqNode.asLong();
        if (textNode == null || !textNode.isTextual() || textNode.asText().isBlank()) {
            error(ctx, "bad-frame", "A message needs a \"text\" that is not empty.", seq);
            return;
        }
        if (!rate.tryAcquire(chat.clock().millis())) {
            error(ctx, "rate-limited", "You are sending messages faster than the chat allows ("
                    + chat.settings().messagesPerTenSeconds() + " in ten seconds); this one was not sent. Wait a moment and try again.",
                    seq);
            return;
        }
        chat.message(session, ctx.channel(), seq, textNode.asText());
    }

    private static void error(ChannelHandlerContext ctx, String code, String message) {
        WebChat.send(ctx.channel(), ChatFrames.error(code, message));
    }

    private static void error(ChannelHandlerContext ctx, String code, String message, long seq) {
        WebChat.send(ctx.channel(), ChatFrames.error(code, message).put("seq", seq));
    }

    private static String text(JsonNode f, String field) {
        JsonNode v = f.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (idle.isFirst()) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            } else {
                long seconds = chat.settings().idleTimeout().toSeconds();
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
                        "idle: nothing received for " + seconds + " s")).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            chat.disconnected(session, ctx.channel());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "message over " + chat.settings().maxMessageBytes() + " bytes")).addListener(ChannelFutureListener.CLOSE);
        } else if (cause instanceof CorruptedWebSocketFrameException || cause instanceof IOException) {
            LOG.debug("chat socket closed: {}", cause.toString());
            ctx.close();
        } else {
            LOG.warn("chat socket failed", cause);
            ctx.close();
        }
    }

    /** At most {@code limit} events in any {@code windowMillis}: a ring of the last events' times. */
    static final class RateLimit {
        private final long[] times;
        private final long windowMillis;
        private int next;
        private int count;

        RateLimit(int limit, long windowMillis) {
            this.times = new long[limit];
            this.windowMillis = windowMillis;
        }

        boolean tryAcquire(long now) {
            if (count == times.length) {
                long oldest = times[next];
                if (now - oldest < windowMillis) {
                    return false;
                }
            } else {
                count++;
            }
            times[next] = now;
            next = (next + 1) % times.length;
            return true;
        }
    }
}
