package org.contactrouter.config;

import java.util.List;
import java.util.Optional;
import org.contactrouter.access.Accounts;
import org.contactrouter.routing.RoutingConfig;

/**
 * What loading a config directory gave: the config when there was no error, and every problem found, errors first,
 * each group in file and line order.
 *
 * @param config    the validated config, empty when there is an error
 * @param problems  every error and warning
 * @param accounts  who may sign in (agents' password hashes and roles, integrations' key hashes and scopes); they
 *                  are not routing data, so they are not in the config; none while the config has errors
 */
public record LoadResult(Optional<RoutingConfig> config, List<Problem> problems, Accounts accounts) {

    public LoadResult {
        problems = List.copyOf(problems);
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
