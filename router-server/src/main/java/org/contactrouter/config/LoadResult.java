package org.contactrouter.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.contactrouter.routing.RoutingConfig;

/**
 * What loading a config directory gave: the config when there was no error, and every problem found, errors first,
 * each group in file and line order.
 *
 * @param config    the validated config, empty when there is an error
 * @param problems  every error and warning
 * @param passwords the agents' password hashes by agent id (agents.yaml), for the agent desktop's sign-in; they are
 *                  not routing data, so they are not in the config
 */
public record LoadResult(Optional<RoutingConfig> config, List<Problem> problems, Map<String, String> passwords) {

    public LoadResult {
        problems = List.copyOf(problems);
        passwords = Map.copyOf(passwords);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
        return problems.stream().filter(p -> !p.isError()).toList();
    }
}
