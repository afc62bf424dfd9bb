package org.contactrouter.config;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contactrouter.access.Accounts;
import org.contactrouter.routing.ConfigProblem;
import org.contactrouter.routing.ConfigProblem.Severity;
import org.contactrouter.routing.RoutingConfig;
import org.yaml.snakeyaml.DumperOptions.FlowStyle;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.UnicodeReader;

/**
 * Loads a config directory ({@code routing.yaml}, {@code agents.yaml}, optional {@code customers.yaml}) into a
 * {@link RoutingConfig}: binds every file against the declarations in {@link ConfigSchema}, collecting every
 * problem with its file, line and column, then runs {@link RoutingConfig#check()} and places each of its problems
 * at the line of the node its path names.
 */
public final class ConfigLoader {

    private static final Pattern PATH_STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");
    /** Errors first, then by place; the message last, so the same files always print the same way. */
    private static final Comparator<Problem> ORDER = Comparator.comparing(Problem::severity)
            .thenComparing(Problem::file).thenComparingInt(Problem::line).thenComparingInt(Problem::column)
            .thenComparing(Problem::message);

    private ConfigLoader() {
    }

    public static LoadResult load(Path dir) {
        return load(ConfigFiles.read(dir));
    }

    /** The files of a config directory as they are now, or empty with the problems when a file cannot be read. */
    public static ConfigSnapshot snapshot(Path dir) {
        ConfigFiles files = ConfigFiles.read(dir);
        if (!files.problems().isEmpty()) {
            throw new IllegalStateException(files.problems().toString());
        }
        java.util.Map<String, String> texts = new java.util.TreeMap<>();
        files.contents().forEach((name, bytes) -> texts.put(name, new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
        return new ConfigSnapshot(files.version(), texts);
    }

    /** Loads a config from a snapshot's files; the version is computed from them, not trusted. */
    public static LoadResult load(ConfigSnapshot snapshot) {
        return load(ConfigFiles.of(snapshot.contents()));
    }

    static LoadResult load(ConfigFiles files) {
        List<Problem> problems = new ArrayList<>(files.problems());
        Map<String, Node> roots = new HashMap<>();
        ConfigSchema.RoutingFile routing = bind(ConfigSchema.ROUTING_YAML, files, roots, problems);
        ConfigSchema.AgentsFile agents = bind(ConfigSchema.AGENTS_YAML, files, roots, problems);
        var customers = bind(ConfigSchema.CUSTOMERS_YAML, files, roots, problems);
        var integrations = bind(ConfigSchema.INTEGRATIONS_YAML, files, roots, problems);
        if (routing == null || agents == null || customers == null || integrations == null || !problems.isEmpty()) {
            return result(null, problems, Accounts.NONE);
        }
        RoutingConfig config = new RoutingConfig(files.version(), routing.settings(), agents.skills(),
                agents.agents(), routing.queues(), routing.rules(), routing.hours(), customers);
        for (ConfigProblem p : config.check()) {
            locate(p, roots, problems);
        }
        Map<String, Accounts.IntegrationKey> keys = new java.util.TreeMap<>();
        integrations.forEach(k -> keys.put(k.id(), k));
        return result(config, problems, new Accounts(agents.accounts(), keys));
    }

    private static LoadResult result(RoutingConfig config, List<Problem> problems, Accounts accounts) {
        problems.sort(ORDER);
        boolean valid = config != null && problems.stream().noneMatch(Problem::isError);
        return new LoadResult(valid ? Optional.of(config) : Optional.empty(), problems,
                valid ? accounts : Accounts.NONE);
    }

    /** The file's value; null after reporting problems, or when a required file is missing. */
    private static <T> T bind(ConfigFile<T> file, ConfigFiles files, Map<String, Node> roots, List<Problem> problems) {
        byte[] content = files.contents().get(file.name());
        if (content == null) {
            return file.required() ? null : file.schema().defaults();
        }
        Cursor at = Cursor.root(file.name(), problems);
        Node root;
        try {
            root = new Yaml().compose(new UnicodeReader(new ByteArrayInputStream(content)));
        } catch (MarkedYAMLException e) {
            at.report(e.getProblemMark(), syntaxError(e), Severity.ERROR);
            return null;
        } catch (YAMLException e) {
            at.report(null, "YAML: " + e.getMessage(), Severity.ERROR);
            return null;
        }
        if (root == null) {
            root = new MappingNode(Tag.MAP, List.of(), FlowStyle.AUTO);
        }
        roots.put(file.name(), root);
        return file.schema().read(root, at);
    }

    /** The parser's words; a context such as "while parsing a flow sequence" gets the line where that began. */
    private static String syntaxError(MarkedYAMLException e) {
        String message = "YAML syntax: " + e.getProblem();
        if (e.getContext() == null) {
            return message;
        }
        Mark start = e.getContextMark();
        boolean began = start != null && e.getContext().startsWith("while ");
        return message + " (" + e.getContext() + (began ? " from line " + (start.getLine() + 1) : "") + ")";
    }

    /** Reports a problem of {@link RoutingConfig#check()} at the deepest node its path reaches. */
    private static void locate(ConfigProblem p, Map<String, Node> roots, List<Problem> problems) {
        Matcher step = PATH_STEP.matcher(p.path());
        String top = step.find() ? step.group(1) : null;
        ConfigFile<?> file = ConfigSchema.FILES.stream()
                .filter(f -> top != null && f.schema().declares(top) && roots.containsKey(f.name()))
                .findFirst().orElse(ConfigSchema.ROUTING_YAML);
        Node node = roots.get(file.name());
        Mark mark = null;
        step.reset();
        while (node != null && step.find()) {
            mark = node.getStartMark();
            node = step.group(1) != null ? field(node, step.group(1)) : item(node, Integer.parseInt(step.group(2)));
        }
        if (node != null) {
            mark = node.getStartMark();
        }
        new Cursor(file.name(), p.path(), problems).report(mark, p.message(), p.severity());
    }

    private static Node field(Node node, String name) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple entry : mapping.getValue()) {
                if (entry.getKeyNode() instanceof ScalarNode key && key.getValue().equals(name)) {
                    return entry.getValueNode();
                }
            }
        }
        return null;
    }

    private static Node item(Node node, int index) {
        return node instanceof SequenceNode list && index < list.getValue().size() ? list.getValue().get(index) : null;
    }
}
