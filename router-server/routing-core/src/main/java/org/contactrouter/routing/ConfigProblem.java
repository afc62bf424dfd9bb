package org.contactrouter.routing;

/**
 * Something wrong with a configuration, found by {@link RoutingConfig#check()}.
 *
 * @param path     where, in the configuration's own terms: {@code rules[2].queue}, {@code agents[0].skills.billing};
 *                 the loader turns this into file:line
 * @param message  what is wrong and what was expected
 * @param severity errors stop a config from being used; warnings are reported
 */
public record ConfigProblem(String path, String message, Severity severity) {

    public enum Severity { ERROR, WARNING }

    public static ConfigProblem error(String path, String message) {
        return new ConfigProblem(path, message, Severity.ERROR);
    }

    public static ConfigProblem warning(String path, String message) {
        return new ConfigProblem(path, message, Severity.WARNING);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + path + ": " + message;
    }
}
