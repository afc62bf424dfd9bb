package org.contactrouter.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.contactrouter.server.http.ClientAddresses;

/**
 * The HTTP listeners of an instance.
 *
 * @param host                 interface of the internal listener (API, desktop, /ops, /metrics, and the public doors)
 * @param port                 its port (0 picks a free one)
 * @param publicHost           interface of a separate public listener (Twilio webhooks, chat, health), or null
 * @param publicPort           its port; ignored without {@code publicHost}
 * @param publicNames          host names clients reach this server by (Host header); loopback names always work
 * @param trustedProxies       addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed
 * @param tlsCertificate       PEM certificate chain of the internal listener, or null for plain HTTP
 * @param tlsKey               PEM private key of the internal listener, or null
 * @param publicTlsCertificate PEM certificate chain of the public listener, or null
 * @param publicTlsKey         PEM private key of the public listener, or null
 * @param apiRequestsPerSecond /api requests one client address may make per second, sustained (bursts of five times
 *                             as many); more are answered 429 with Retry-After
 */
public record HttpSettings(String host, int port, String publicHost, int publicPort, List<String> publicNames,
                           List<String> trustedProxies, Path tlsCertificate, Path tlsKey, Path publicTlsCertificate,
                           Path publicTlsKey, int apiRequestsPerSecond) {

    /** The default of {@code http.apiRequestsPerSecond}. */
    public static final int API_REQUESTS_PER_SECOND = 50;

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        check(port >= 0 && port <= 65535, "http.port: " + port + " (expected 0..65535)");
        if (publicHost != null && publicHost.isBlank()) {
            publicHost = null;
        }
        check(publicPort >= 0 && publicPort <= 65535, "http.public.port: " + publicPort + " (expected 0..65535)");
        publicNames = List.copyOf(publicNames);
        trustedProxies = List.copyOf(trustedProxies);
        ClientAddresses.trusting(trustedProxies); // each must be an address or a CIDR block
        check(apiRequestsPerSecond >= 1 && apiRequestsPerSecond <= 100_000, "http.apiRequestsPerSecond: "
                + apiRequestsPerSecond + " (expected 1..100000)");
        check((tlsCertificate == null) == (tlsKey == null),
                "http.tls: give both certificate and key, or neither");
        check((publicTlsCertificate == null) == (publicTlsKey == null),
                "http.public.tls: give both certificate and key, or neither");
        check(publicHost != null || publicTlsCertificate == null,
                "http.public.tls: there is no public listener (set http.public.host and http.public.port)");
        check(!(beyondLoopback(host) || (publicHost != null && beyondLoopback(publicHost))) || !publicNames.isEmpty(),
                "http.publicNames: the server listens beyond loopback, so say by which names it is reached "
                        + "(router.yaml http.publicNames, or ROUTER_HTTP_PUBLIC_NAMES, e.g. support.example.com); "
                        + "requests naming any other host are refused (docs/security.md)");
    }

    /** The internal listener alone, plain HTTP, on {@code host}:{@code port}: the embedded default, and tests. */
    public static HttpSettings plain(String host, int port) {
        return new HttpSettings(host, port, null, 0, List.of(), List.of(), null, null, null, null,
                API_REQUESTS_PER_SECOND);
    }

    /** Whether an interface serves beyond this machine (0.0.0.0, a LAN or public address, a name). */
    static boolean beyondLoopback(String host) {
        try {
            return !InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return true;
        }
    }

    /** Whether any listener serves beyond this machine. */
    boolean servesBeyondLoopback() {
        return beyondLoopback(host) || (publicHost != null && beyondLoopback(publicHost));
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
