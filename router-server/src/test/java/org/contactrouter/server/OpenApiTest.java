package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.contactrouter.events.Channel;
import org.contactrouter.routing.ContactStatus;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RefusalReason;
import org.contactrouter.routing.SelectionStrategy;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.wire.DecisionJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI document served at {@code /openapi.yaml} describes exactly the routes the server serves, and what the
 * server answers is what the document says. One server for the whole class.
 */
class OpenApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{([^}]+)}");

    @TempDir
    static Path tmp;

    private static final HttpClient http = HttpClient.newHttpClient();
    private static RouterServer server;
    private static Map<String, Object> doc;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(tmp);

        HttpResponse<String> yaml = get("/openapi.yaml");
        assertThat(yaml.statusCode()).as("GET /openapi.yaml").isEqualTo(200);
        assertThat(yaml.headers().firstValue("content-type")).hasValue("application/yaml");
        doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml.body());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void documentsExactlyTheRoutesTheServerServes() {
        assertThat(doc.get("openapi")).isEqualTo("3.0.3");
        Set<String> documented = new TreeSet<>();
        map(doc, "paths").forEach((path, item) -> map(item).keySet().stream().filter(METHODS::contains)
                .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
        Set<String> served = server.routes().stream().map(r -> r.method() + " " + r.template())
                .collect(Collectors.toCollection(TreeSet::new));

        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        assertThat(undocumented.isEmpty() && notServed.isEmpty())
                .as("openapi.yaml must describe exactly server.routes().%n  served but not in openapi.yaml: %s%n"
                        + "  in openapi.yaml but not served: %s", undocumented, notServed)
                .isTrue();

        for (Route route : server.routes()) {
            Set<String> inTemplate = new TreeSet<>();
            Matcher m = TEMPLATE_PARAM.matcher(route.template());
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            Set<String> declared = new TreeSet<>();
            for (Object p : parameters(route)) {
                Map<String, Object> parameter = map(resolve(p));
                if ("path".equals(parameter.get("in"))) {
                    declared.add((String) parameter.get("name"));
                    assertThat(parameter.get("required")).as("%s %s: path parameter %s must be required",
                            route.method(), route.template(), parameter.get("name")).isEqualTo(true);
                }
            }
            assertThat(declared).as("path parameters of %s %s", route.method(), route.template())
                    .isEqualTo(inTemplate);
        }
    }

    @Test
    void answersAreAmongTheDocumentedOnes() throws Exception {
        checkDocumented("GET", "/api/contacts/{id}", get("/api/contacts/c-no-such-contact"), 404);
        checkDocumented("POST", "/api/contacts", post("/api/contacts", "{\"id\": \"x\", "), 400);
        checkDocumented("POST", "/api/contacts", post("/api/contacts", """
                {"id": "x", "channel": "fax", "customer": {"email": "a@example.com"}}"""), 400);
        checkDocumented("GET", "/api/agents/{id}/contacts", get("/api/agents/ann/contacts?since=yesterday"), 400);
        checkDocumented("GET", "/health/live", get("/health/live"), 200);
    }

    @Test
    void unknownPathsAndMethodsAnswerWithTheDocumentedErrorShape() throws Exception {
        HttpResponse<String> unknown = get("/api/nowhere");
        assertThat(unknown.statusCode()).isEqualTo(404);
        checkBody(unknown, schemaOf(map(map(doc, "components"), "responses").get("NotFound")), "GET /api/nowhere");
        HttpResponse<String> wrongMethod = get("/api/contacts");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        checkBody(wrongMethod, schemaOf(map(map(doc, "components"), "responses").get("MethodNotAllowed")),
                "GET /api/contacts");
    }

    @Test
    void enumsAreTheWireNamesOfTheCode() {
        Map<String, Object> schemas = map(map(doc, "components"), "schemas");
        assertThat(map(schemas, "Channel").get("enum"))
                .isEqualTo(Arrays.stream(Channel.values()).map(Channel::wireName).toList());
        assertThat(map(schemas, "ContactStatus").get("enum")).isEqualTo(wireNames(ContactStatus.values()));
        assertThat(map(schemas, "DecisionType").get("enum")).isEqualTo(wireNames(DecisionType.values()));
        assertThat(map(schemas, "RefusalReason").get("enum")).isEqualTo(wireNames(RefusalReason.values()));
        assertThat(map(schemas, "SelectionStrategy").get("enum")).isEqualTo(wireNames(SelectionStrategy.values()));
    }

    // ------------------------------------------------------------------ checks against the document

    /** The status is one the operation documents, in a documented content type, with a body fitting the schema. */
    private static void checkDocumented(String method, String template, HttpResponse<String> response, int expected)
            throws Exception {
        String where = method + " " + template + " (" + response.uri().getRawPath() + ")";
        assertThat(response.statusCode()).as(where).isEqualTo(expected);
        Map<String, Object> responses = map(operation(method, template), "responses");
        String status = String.valueOf(response.statusCode());
        assertThat(responses).as("%s: documented statuses %s", where, responses.keySet()).containsKey(status);
        Map<String, Object> schema = schemaOf(responses.get(status));
        checkBody(response, schema, where + " " + status);
        if (response.statusCode() >= 400) {
            assertThat(schema).as("%s: errors are documented as Error", where)
                    .isSameAs(resolve(Map.of("$ref", "#/components/schemas/Error")));
        }
        Map<String, Object> content = map(resolve(responses.get(status))).containsKey("content")
                ? map(map(resolve(responses.get(status))), "content") : Map.of();
        String contentType = response.headers().firstValue("content-type").orElse("");
        assertThat(content.keySet()).as("%s: content type %s", where, contentType)
                .anyMatch(documented -> contentType.startsWith(documented));
    }

    private static void checkBody(HttpResponse<String> response, Map<String, Object> schema, String where)
            throws Exception {
        JsonNode body = JSON.readTree(response.body());
        check(body, schema, where + " body");
        if (response.statusCode() >= 400) {
            assertThat(body.path("status").asInt()).as("%s: status in the error body", where)
                    .isEqualTo(response.statusCode());
        }
    }

    /** The JSON schema of a response's application/json content. */
    private static Map<String, Object> schemaOf(Object response) {
        Map<String, Object> content = map(map(resolve(response)), "content");
        return map(resolve(map(content, "application/json").get("schema")));
    }

    /** Enough of JSON Schema for the bodies checked here: types, required, properties, no unknown fields, enums. */
    private static void check(JsonNode value, Map<String, Object> schema, String where) {
        schema = map(resolve(schema));
        if (value.isNull()) {
            assertThat(schema.get("nullable")).as("%s: null but not nullable", where).isEqualTo(true);
            return;
        }
        if (schema.containsKey("enum")) {
            Object plain = value.isTextual() ? value.asText() : value.numberValue();
            assertThat(((List<?>) schema.get("enum")).contains(plain)).as("%s: %s is one of %s", where, value,
                    schema.get("enum")).isTrue();
        }
        String type = (String) schema.get("type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "object" -> {
                assertThat(value.isObject()).as("%s: %s is an object", where, value).isTrue();
                Map<String, Object> properties = schema.containsKey("properties") ? map(schema, "properties") : Map.of();
                for (Object required : (List<?>) schema.getOrDefault("required", List.of())) {
                    assertThat(value.has((String) required)).as("%s: required field '%s' in %s", where, required, value)
                            .isTrue();
                }
                List<String> fields = new ArrayList<>();
                value.fieldNames().forEachRemaining(fields::add);
                for (String field : fields) {
                    assertThat(properties).as("%s: field '%s' is documented", where, field).containsKey(field);
                    check(value.get(field), map(properties.get(field)), where + "." + field);
                }
            }
            case "array" -> {
                assertThat(value.isArray()).as("%s: %s is an array", where, value).isTrue();
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), map(schema.get("items")), where + "[" + i + "]");
                }
            }
            case "string" -> assertThat(value.isTextual()).as("%s: %s is a string", where, value).isTrue();
            case "integer" -> assertThat(value.isIntegralNumber()).as("%s: %s is an integer", where, value).isTrue();
            case "boolean" -> assertThat(value.isBoolean()).as("%s: %s is a boolean", where, value).isTrue();
            default -> { }
        }
    }

    private static Map<String, Object> operation(String method, String template) {
        Map<String, Object> item = map(map(doc, "paths"), template);
        return map(item, method.toLowerCase());
    }

    private static List<?> parameters(Route route) {
        Map<String, Object> item = map(map(doc, "paths"), route.template());
        List<Object> all = new ArrayList<>((List<?>) item.getOrDefault("parameters", List.of()));
        all.addAll((List<?>) map(item, route.method().toLowerCase()).getOrDefault("parameters", List.of()));
        return all;
    }

    /** Follows a local {@code $ref} ("#/components/..."). */
    private static Object resolve(Object node) {
        Object current = node;
        while (current instanceof Map<?, ?> m && m.get("$ref") instanceof String ref) {
            assertThat(ref).as("only local references").startsWith("#/");
            Object target = doc;
            for (String part : ref.substring(2).split("/")) {
                target = map(target).get(part.replace("~1", "/").replace("~0", "~"));
                assertThat(target).as("reference %s resolves", ref).isNotNull();
            }
            current = target;
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertThat(node).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    private static Map<String, Object> map(Object node, String key) {
        Object value = map(node).get(key);
        assertThat(value).as("'%s' in %s", key, map(node).keySet()).isNotNull();
        return map(value);
    }

    private static List<String> wireNames(Enum<?>[] values) {
        return Arrays.stream(values).map(DecisionJson::wireName).toList();
    }

    // ------------------------------------------------------------------ HTTP

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TestServers.API_KEY)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestServers.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }
}
