package org.contactrouter.channels.webchat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP server with the router's pipeline (codec, keep-alive, 256 KiB aggregator, the chat's handler, then the
 * routes), where the routes are one handler answering 404 with what it received, so a test sees whether a request
 * reached it unchanged. One event loop thread: a blocked loop would show in every test.
 *
 * <p>As the router's server resolves a client's real address behind a proxy, a request with the header
 * {@value #CLIENT_ADDRESS_HEADER} sets {@link ClientAddress#KEY} on its connection; without it the chat sees the
 * loopback address the test connected from.
 */
final class ChatTestServer implements AutoCloseable {

    static final String CLIENT_ADDRESS_HEADER = "X-Test-Client-Address";

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    ChatTestServer(WebChat chat) throws InterruptedException {
        channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline()
                                .addLast("codec", new HttpServerCodec())
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregate", new HttpObjectAggregator(256 * 1024))
                                .addLast("client-address", new ClientAddressFromHeader())
                                .addLast("chat", chat.newHandler())
                                .addLast("routes", new NotFound());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Sets the connection's client address from {@value #CLIENT_ADDRESS_HEADER}, as a trusted proxy's would be. */
    static final class ClientAddressFromHeader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req && req.headers().contains(CLIENT_ADDRESS_HEADER)) {
                ctx.channel().attr(ClientAddress.KEY).set(req.headers().get(CLIENT_ADDRESS_HEADER));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Answers 404 with the method, URI, X-Probe header and body it got. */
    static final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String echo = "routes saw " + req.method() + " " + req.uri() + " probe=" + req.headers().get("X-Probe")
                    + " body=" + req.content().toString(StandardCharsets.UTF_8)
                    + " refCnt=" + req.refCnt() + " bytes=" + ByteBufUtil.getBytes(req.content()).length;
            byte[] body = echo.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(res, body.length);
            ctx.writeAndFlush(res);
        }
    }
}
