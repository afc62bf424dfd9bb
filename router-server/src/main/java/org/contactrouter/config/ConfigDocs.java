package org.contactrouter.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.stream.Collectors;
import org.contactrouter.events.Channel;

/**
 * Renders docs/configuration.md from the declarations in {@link ConfigSchema}: a short hand-written introduction,
 * then a table per file and per object. {@code ConfigDocsTest} fails when the checked-in file differs.
 */
public final class ConfigDocs {

    /** The command, run from the repository root, that rewrites docs/configuration.md. */
    static final String REGENERATE = "./mvnw -q -B -pl router-server install -DskipTests"
            + " && java -jar router-server/target/router-server.jar config-docs > docs/configuration.md";

    private static final String INTRO = """
            # Configuration reference

            <!-- Generated from router-server/src/main/java/org/contactrouter/config/ConfigSchema.java: do not edit.
                 Regenerate from the repository root with:
                 %s -->

            The router reads its routing configuration from one directory; `config/` in this repository is a runnable
            example. How routing uses it is described in [routing.md](routing.md).

            | File | | Contents |
            |---|---|---|
            %s

            Check a directory before you deploy it:

                java -jar router-server.jar validate --config config/

            It prints every problem of every file, errors first, each with its file, line and column, the path of the
            field, the value and what was expected, then a summary:

                agents.yaml:14:20: agents[1].capacity.chat: 21 (expected: 0..20)
                routing.yaml:31:12: rules[2].queue: unknown queue 'bilng' (expected one of [billing, tech])
                config/ is invalid: 2 errors, no warnings

            Besides the types and ranges below, the configuration is checked as a whole: every skill, queue, business
            hours and agent named exists, ids are unique, a rule's queue takes the rule's channels, no queue overflows
            to itself, no identity belongs to two customers. Warnings (rules that overlap or can never match, no
            catch-all rule, queues no agent can take, agents without capacity) are reported but do not stop a
            configuration from being used.

            ## Values

            - A duration is a whole number and a unit: `500ms`, `30s`, `5m`, `4h`, `30d`.
            - An id (of a queue, rule, agent, skill, business hours or tier) is letters, digits, `-` and `_`.
            - A channel is one of %s.
            - A language is a lower-case language code: `en`, `de`.
            - A list with one item may be written without brackets: `channel: voice` is `channel: [voice]`.
            - A field left out, or left empty, has its default.

            ## Version and reload

            The configuration's version is the first 12 hex digits of the SHA-256 of the files' names and contents:
            every instance reading the same files agrees on it, and every routing decision records it.

            A running router polls the directory for changes. A changed configuration is loaded and checked as a
            whole: if valid, it replaces the running one; if not, it is rejected with the messages `validate` prints,
            and the running configuration stays in force until the files are fixed. Saving the same content again
            changes nothing. Replace files in one step (write a temporary file, then rename it over the old one): a
            half-written file is rejected, and applied once complete.
            """;

    private ConfigDocs() {
    }

    public static String render() {
        String files = ConfigSchema.FILES.stream()
                .map(f -> "| [`" + f.name() + "`](#" + f.schema().anchor() + ") | "
                        + (f.required() ? "required" : "optional") + " | " + f.schema().description() + " |")
                .collect(Collectors.joining("\n"));
        String channels = Arrays.stream(Channel.values()).map(c -> "`" + c.wireName() + "`")
                .collect(Collectors.joining(", "));
        StringBuilder out = new StringBuilder(INTRO.formatted(REGENERATE, files, channels));
        Set<ObjectType<?>> documented = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ConfigFile<?> file : ConfigSchema.FILES) {
            out.append("\n## ").append(file.name()).append("\n\n").append(file.schema().description()).append("\n\n");
            table(out, file.schema());
            sections(out, file.schema(), documented);
        }
        ObjectType<?> channelSection = ChannelConfig.schema();
        out.append("\n## router.yaml: ").append(ChannelConfig.SECTION).append("\n\n")
                .append("The server's own settings in router.yaml are listed in docs/operations.md. Its `")
                .append(ChannelConfig.SECTION).append("` section, read at start: ")
                .append(channelSection.description()).append("\n\n");
        table(out, channelSection);
        sections(out, channelSection, documented);
        return out.toString();
    }

    private static void sections(StringBuilder out, ObjectType<?> parent, Set<ObjectType<?>> documented) {
        for (Field<?> field : parent.fields()) {
            ObjectType<?> object = field.type().object();
            if (object != null && documented.add(object)) {
                out.append("\n### ").append(object.title()).append("\n\n").append(object.description()).append("\n\n");
                table(out, object);
                sections(out, object, documented);
            }
        }
    }

    /** The type's name, its object's title linked to the object's section: {@code list of [queue](#queue)}. */
    private static String typeColumn(Type<?> type) {
        ObjectType<?> object = type.object();
        if (object == null) {
            return type.doc();
        }
        String prefix = type.doc().substring(0, type.doc().length() - object.title().length());
        return prefix + "[" + object.title() + "](#" + object.anchor() + ")";
    }

    private static void table(StringBuilder out, ObjectType<?> object) {
        out.append("| Field | Type | Default | Description |\n|---|---|---|---|\n");
        for (Field<?> f : object.fields()) {
            out.append("| `").append(f.name()).append("` | ").append(typeColumn(f.type())).append(" | ")
                    .append(f.defaultDoc()).append(" | ").append(f.doc()).append(" |\n");
        }
    }
}
