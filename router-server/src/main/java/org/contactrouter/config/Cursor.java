package org.contactrouter.config;

import java.util.List;
import org.contactrouter.routing.ConfigProblem.Severity;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Where the loader is while it walks a file: the file, the path in the config's terms ({@code queues[0].skills}),
 * and the list every problem goes to.
 */
record Cursor(String file, String path, List<Problem> problems) {

    static Cursor root(String file, List<Problem> problems) {
        return new Cursor(file, "", problems);
    }

    Cursor field(String name) {
        return new Cursor(file, path.isEmpty() ? name : path + "." + name, problems);
    }

    Cursor index(int i) {
        return new Cursor(file, path + "[" + i + "]", problems);
    }

    void error(Node node, String message) {
        report(node.getStartMark(), message, Severity.ERROR);
    }

    void report(Mark mark, String message, Severity severity) {
        int line = mark == null ? 0 : mark.getLine() + 1;
        int column = mark == null ? 0 : mark.getColumn() + 1;
        problems.add(new Problem(file, line, column, path, message, severity));
    }
}
