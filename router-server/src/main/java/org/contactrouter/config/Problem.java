package org.contactrouter.config;

import org.contactrouter.routing.ConfigProblem.Severity;

/**
 * Something wrong with a config directory, and where: {@code agents.yaml:14:20: agents[1].capacity.chat: 21
 * (expected: 0..20)}.
 *
 * @param file     the file's name within the config directory, {@code routing.yaml}
 * @param line     1-based line, or 0 when the problem is with the file as a whole
 * @param column   1-based column, or 0 with line 0
 * @param path     where in the config's own terms, {@code rules[2].queue}; empty for the file as a whole
 * @param message  the bad value and what was expected
 * @param severity errors stop a config from being used; warnings are reported
 */
public record Problem(String file, int line, int column, String path, String message, Severity severity) {

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file);
        if (line > 0) {
            s.append(':').append(line).append(':').append(column);
        }
        s.append(": ");
        if (severity == Severity.WARNING) {
            s.append("warning: ");
        }
        if (!path.isEmpty()) {
            s.append(path).append(": ");
        }
        return s.append(message).toString();
    }
}
