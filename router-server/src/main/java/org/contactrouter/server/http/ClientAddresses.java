package org.contactrouter.server.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the client is. Directly connected, it is the socket's address. Behind a reverse proxy the socket's address is
 * the proxy's: only when that proxy is declared trusted ({@code http.trustedProxies}) is {@code X-Forwarded-For}
 * read, right to left, skipping trusted proxies, and the first other address is the client. A header from anyone else
 * is ignored, so nobody can pick their own address to dodge a limit.
 */
public final class ClientAddresses {

    private record Block(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> trusted;

    private ClientAddresses(List<Block> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public static final ClientAddresses DIRECT = new ClientAddresses(List.of());

    /**
     * @param trustedProxies addresses or CIDR blocks ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code ::1})
     * @throws IllegalArgumentException naming the entry that is neither
     */
    public static ClientAddresses trusting(List<String> trustedProxies) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : trustedProxies) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            byte[] address = literal(slash < 0 ? e : e.substring(0, slash));
            int bits = address == null ? -1 : address.length * 8;
            if (address != null && slash >= 0) {
                try {
                    int given = Integer.parseInt(e.substring(slash + 1));
                    bits = given >= 0 && given <= bits ? given : -1;
                } catch (NumberFormatException x) {
                    bits = -1;
                }
            }
            if (address == null || bits < 0) {
                throw new IllegalArgumentException("http.trustedProxies: '" + e + "' (expected an IP address or a CIDR "
                        + "block such as 10.0.0.0/8)");
            }
            blocks.add(new Block(address, bits));
        }
        return new ClientAddresses(blocks);
    }

    public boolean isTrusted(InetAddress address) {
        byte[] bytes = address.getAddress();
        return trusted.stream().anyMatch(b -> b.contains(bytes));
    }

    /** The client's address for a request that came over a socket from {@code peer} with this X-Forwarded-For. */
    public String resolve(InetAddress peer, String forwardedFor) {
        if (forwardedFor == null || !isTrusted(peer)) {
            return peer.getHostAddress();
        }
        String[] hops = forwardedFor.split(",");
        String client = peer.getHostAddress();
        for (int i = hops.length - 1; i >= 0 && i >= hops.length - 16; i--) {
            byte[] hop = literal(hops[i].strip());
            if (hop == null) {
                break; // not an address: stop at what the trusted proxy itself vouched for
            }
            try {
                InetAddress address = InetAddress.getByAddress(hop);
                client = address.getHostAddress();
                if (!isTrusted(address)) {
                    break;
                }
            } catch (UnknownHostException e) {
                break;
            }
        }
        return client;
    }

    /** The bytes of an IP literal, or null when {@code text} is not one (never a DNS look-up). */
    static byte[] literal(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (t.isEmpty() || t.length() > 45 || !t.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        if (t.indexOf(':') < 0 && !t.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress(); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
