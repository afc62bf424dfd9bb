package org.contactrouter.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The browser pages the server serves itself: the agent desktop ({@code /agent}) and the supervisor view
 * ({@code /ops}), each an HTML page with one script and one style sheet from {@code src/main/resources/web/}. Plain
 * files, no build step; read once at start.
 *
 * <p>Every file is answered with {@code Cache-Control: no-cache} and an {@code ETag}, so a browser revalidates on each
 * load (a 304 without body when nothing changed) and a new server version is picked up at once. The pages get a
 * Content-Security-Policy that allows only this server's own scripts, styles and connections (the agent feed's
 * WebSocket included), and may not be framed by other sites.
 */
public final class WebPages {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private record Page(String path, String resource, String contentType) {
    }

    private static final List<Page> PAGES = List.of(
            new Page("/agent", "agent.html", "text/html; charset=utf-8"),
            new Page("/agent/desktop.js", "desktop.js", "text/javascript; charset=utf-8"),
            new Page("/agent/desktop.css", "desktop.css", "text/css; charset=utf-8"),
            new Page("/ops", "ops.html", "text/html; charset=utf-8"),
            new Page("/ops/ops.js", "ops.js", "text/javascript; charset=utf-8"),
            new Page("/ops/ops.css", "ops.css", "text/css; charset=utf-8"));

    private WebPages() {
    }

    /** One GET route per file; open to anyone, as the files hold no data (the API they call does). */
    public static List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (Page page : PAGES) {
            byte[] body = read(page.resource());
            String etag = "\"" + digest(body) + "\"";
            HttpResponse full = new HttpResponse(HttpResponseStatus.OK, page.contentType(), body)
                    .withHeader("Cache-Control", "no-cache")
                    .withHeader("ETag", etag)
                    .withHeader("X-Content-Type-Options", "nosniff")
                    .withHeader("Referrer-Policy", "no-referrer")
                    .withHeader("Content-Security-Policy", CSP);
            HttpResponse notModified = new HttpResponse(HttpResponseStatus.NOT_MODIFIED, null, new byte[0])
                    .withHeader("Cache-Control", "no-cache")
                    .withHeader("ETag", etag);
            routes.add(Route.get(page.path(), Policy.ANYONE, r -> etag.equals(r.header("If-None-Match")) ? notModified : full));
        }
        return List.copyOf(routes);
    }

    private static byte[] read(String resource) {
        try (InputStream in = WebPages.class.getResourceAsStream("/web/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /web/" + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
