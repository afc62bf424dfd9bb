package org.contactrouter.channels.webchat;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may open a chat socket. Netty does not look at the {@code Origin} header of a WebSocket handshake,
 * and a browser lets any page open a socket to any server, so the check is ours: the page's origin must be one of the
 * allowed origins, or the server's own (Origin equal to the {@code Host} the browser connected to, which is how the
 * server's {@code /chat} page reaches its socket). A handshake without an Origin header is refused: every browser
 * sends one, so it does not come from the widget.
 */
final class Origins {

    private Origins() {
    }

    /** {@code scheme://host[:port]}, lower case, default port dropped; null when {@code origin} is not an http(s) origin. */
    static String normalize(String origin) {
        URI uri = parse(origin);
        if (uri == null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + (port == -1 || port == defaultPort(scheme) ? "" : ":" + port);
    }

    /**
     * Why the handshake is refused, or null when it may proceed.
     *
     * @param origin  the request's Origin header, null when missing
     * @param host    the request's Host header, null when missing
     * @param allowed normalized allowed origins
     */
    static String refusal(String origin, String host, Set<String> allowed) {
        if (origin == null || origin.isBlank()) {
            return "The chat accepts connections from web pages only: the WebSocket handshake has no Origin header.";
        }
        String normalized = normalize(origin.strip());
        if (normalized != null && (allowed.contains(normalized) || sameOrigin(parse(origin.strip()), host))) {
            return null;
        }
        return "The chat is not enabled for pages on " + origin.strip()
                + ". The server's operator can add this origin to the chat's allowed origins.";
    }

    /** The page was served by this server: same host and port as the Host header the browser sent. */
    private static boolean sameOrigin(URI origin, String host) {
        if (origin == null || host == null || host.isBlank()) {
            return false;
        }
        URI self = parse("http://" + host.strip());
        if (self == null) {
            return false;
        }
        int originPort = origin.getPort() == -1 ? defaultPort(origin.getScheme()) : origin.getPort();
        int hostPort = self.getPort() == -1 ? defaultPort(origin.getScheme()) : self.getPort();
        return origin.getHost().equalsIgnoreCase(self.getHost()) && originPort == hostPort;
    }

    private static URI parse(String origin) {
        try {
            URI uri = new URI(origin.strip());
            String scheme = uri.getScheme();
            if (scheme == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }
}
