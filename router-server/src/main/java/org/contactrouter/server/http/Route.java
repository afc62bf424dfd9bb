package org.contactrouter.server.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One route: a method, a path template with {name} segments, and what answers it.
 *
 * @param method   HTTP method
 * @param template path template such as {@code /api/contacts/{id}}
 * @param handler  the answer
 */
public record Route(String method, String template, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        HttpResponse handle(HttpRequest request) throws Exception;
    }

    public static Route get(String template, Handler handler) {
        return new Route("GET", template, handler);
    }

    public static Route post(String template, Handler handler) {
        return new Route("POST", template, handler);
    }

    /** The path parameters when {@code path} fits the template, else null. */
    Map<String, String> match(String path) {
        List<String> want = segments(template);
        List<String> have = segments(path);
        if (want.size() != have.size()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.size(); i++) {
            String w = want.get(i);
            if (w.startsWith("{") && w.endsWith("}")) {
                if (have.get(i).isEmpty()) {
                    return null;
                }
                params.put(w.substring(1, w.length() - 1), have.get(i));
            } else if (!w.equals(have.get(i))) {
                return null;
            }
        }
        return params;
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
