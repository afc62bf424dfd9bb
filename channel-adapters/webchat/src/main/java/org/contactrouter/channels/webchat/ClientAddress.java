package org.contactrouter.channels.webchat;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Who a chat connection comes from, for the limits per client address ({@link ClientLimits}). */
public final class ClientAddress {

    /**
     * The real client address of a connection, as text ({@code 203.0.113.7}, {@code 2001:db8::1}). The router's HTTP
     * server sets it on each accepted channel, resolved from the {@code X-Forwarded-For} chain of the proxies it
     * trusts; without it, the chat uses the address the connection came from.
     */
    public static final AttributeKey<String> KEY = AttributeKey.valueOf("contactrouter.clientAddress");

    private ClientAddress() {
    }

    /** The address the limits count a connection under: {@link #KEY}, else the connection's remote address. */
    static String of(Channel channel) {
        String address = channel.attr(KEY).get();
        if (address == null || address.isBlank()) {
            SocketAddress remote = channel.remoteAddress();
            address = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                    ? inet.getAddress().getHostAddress()
                    : String.valueOf(remote);
        }
        return limitKey(address.strip());
    }

    /**
     * An IPv4 address as it is; an IPv6 address as its /64 network ({@code 2001:db8:0:1::/64}), since one subscriber
     * usually has a whole /64 and could otherwise open chats from as many addresses as they like. Text that is not an
     * IP address is counted as written.
     */
    static String limitKey(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            return address;
        }
        try {
            // No lookup: getByAddress only wraps the bytes, and turns an IPv4-mapped IPv6 address into IPv4.
            InetAddress ip = InetAddress.getByAddress(bytes);
            if (ip instanceof Inet6Address) {
                return NetUtil.bytesToIpAddress(Arrays.copyOf(Arrays.copyOf(bytes, 8), 16)) + "/64";
            }
            return ip.getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }
}
