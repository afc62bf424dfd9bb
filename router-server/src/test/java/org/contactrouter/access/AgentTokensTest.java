package org.contactrouter.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords are stored only as salted hashes; tokens name their agent, expire, and cannot be forged; a genuine token
 * stops working when its agent is removed, changes password or signs out; API keys are checked against their hashes.
 */
class AgentTokensTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");
    private static final byte[] SECRET = new byte[32];

    static {
        Arrays.fill(SECRET, (byte) 7);
    }

    @TempDir
    Path dir;

    @Test
    void aPasswordMatchesOnlyItsOwnHashAndEveryHashIsSalted() {
        String hash = Passwords.hash("correct horse".toCharArray());
        assertThat(hash).matches(Passwords.FORMAT).doesNotContain("correct horse");
        assertThat(Passwords.matches("correct horse".toCharArray(), hash)).isTrue();
        assertThat(Passwords.matches("correct hors".toCharArray(), hash)).isFalse();
        assertThat(Passwords.matches("correct horse".toCharArray(), "plain-text")).isFalse();
        assertThat(Passwords.matches("correct horse".toCharArray(), null)).isFalse();
        assertThat(Passwords.hash("correct horse".toCharArray())).isNotEqualTo(hash);
    }

    private static final String HASH = "pbkdf2-sha256$210000$AAAAAAAAAAAAAAAAAAAAAA==$"
            + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    @Test
    void aTokenNamesItsAgentUntilItExpires() {
        AgentTokens tokens = new AgentTokens(SECRET, Duration.ofHours(12), Clock.fixed(NOW, ZoneOffset.UTC));
        AgentTokens.Issued issued = tokens.issue("anna", HASH, Long.MIN_VALUE);
        assertThat(issued.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(12)));
        assertThat(tokens.verify(issued.token())).map(AgentTokens.Claims::agentId).contains("anna");

        AgentTokens later = new AgentTokens(SECRET, Duration.ofHours(12),
                Clock.fixed(NOW.plus(Duration.ofHours(12)), ZoneOffset.UTC));
        assertThat(later.verify(issued.token())).isEmpty();
    }

    @Test
    void aTamperedTokenOrOneSignedWithAnotherSecretIsRefused() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AgentTokens tokens = new AgentTokens(SECRET, Duration.ofHours(1), clock);
        String token = tokens.issue("anna", HASH, Long.MIN_VALUE).token();
        String otherAgent = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("ben\n" + NOW.toEpochMilli() + "\n" + NOW.plusSeconds(3600).getEpochSecond() + "\n"
                        + AgentTokens.fingerprint(HASH)).getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(tokens.verify(otherAgent + token.substring(token.indexOf('.')))).isEmpty();
        assertThat(tokens.verify(token.substring(0, token.length() - 2) + "AA")).isEmpty();
        assertThat(tokens.verify("not-a-token")).isEmpty();
        assertThat(tokens.verify("a.%%%")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
        byte[] other = SECRET.clone();
        other[0] = 8;
        assertThat(new AgentTokens(other, Duration.ofHours(1), clock).verify(token)).isEmpty();
        assertThatThrownBy(() -> new AgentTokens(new byte[16], Duration.ofHours(1), clock))
                .hasMessageContaining("at least 32");
    }

    @Test
    void aTokenStopsWorkingWhenItsAgentIsRemovedChangesPasswordOrSignsOut() {
        AtomicReference<Accounts> accounts = new AtomicReference<>(new Accounts(
                Map.of("anna", new Accounts.AgentAccount(HASH, true)), Map.of()));
        AgentTokens tokens = new AgentTokens(SECRET, Duration.ofHours(12), Clock.fixed(NOW, ZoneOffset.UTC));
        Authenticator auth = new Authenticator(accounts::get, tokens);
        String token = tokens.issue("anna", HASH, auth.notBefore("anna")).token();
        assertThat(auth.authenticate(token)).isEqualTo(new Caller.Agent("anna", true, "anna@" + NOW.toEpochMilli()));

        accounts.set(new Accounts(Map.of("anna", new Accounts.AgentAccount(HASH.replace("AAA=", "BBB="), true)),
                Map.of()));
        assertThat(auth.authenticate(token)).as("password changed").isEqualTo(Caller.ANONYMOUS);
        accounts.set(new Accounts(Map.of(), Map.of()));
        assertThat(auth.authenticate(token)).as("removed from agents.yaml").isEqualTo(Caller.ANONYMOUS);

        accounts.set(new Accounts(Map.of("anna", new Accounts.AgentAccount(HASH, false)), Map.of()));
        assertThat(auth.authenticate(token)).isInstanceOf(Caller.Agent.class);
        auth.signedOut("anna", NOW.toEpochMilli());
        assertThat(auth.authenticate(token)).as("signed out").isEqualTo(Caller.ANONYMOUS);
        String again = tokens.issue("anna", HASH, auth.notBefore("anna")).token();
        assertThat(auth.authenticate(again)).as("a new sign-in after the sign-out").isInstanceOf(Caller.Agent.class);
    }

    @Test
    void anApiKeyIsCheckedAgainstItsHashAndCarriesItsScopes() {
        String key = ApiKeys.generate("crm");
        assertThat(ApiKeys.idOf(key)).isEqualTo("crm");
        assertThat(ApiKeys.hash(key)).matches(ApiKeys.HASH_FORMAT).doesNotContain(key.substring(8));
        Accounts accounts = new Accounts(Map.of(), Map.of("crm", new Accounts.IntegrationKey("crm", ApiKeys.hash(key),
                Set.of(Scope.CONTACTS_CREATE))));
        Authenticator auth = new Authenticator(() -> accounts, new AgentTokens(SECRET, Duration.ofHours(1),
                Clock.fixed(NOW, ZoneOffset.UTC)));
        assertThat(auth.authenticate(key)).isEqualTo(new Caller.Integration("crm", Set.of(Scope.CONTACTS_CREATE)));
        assertThat(auth.authenticate(ApiKeys.generate("crm"))).as("another key with the same id")
                .isEqualTo(Caller.ANONYMOUS);
        assertThat(auth.authenticate(ApiKeys.generate("erp"))).as("an unknown id").isEqualTo(Caller.ANONYMOUS);
        assertThatThrownBy(() -> ApiKeys.generate("no spaces")).hasMessageContaining("key id");
    }

    @Test
    void theSecretComesFromTheEnvironmentOrAKeyFileOnlyTheOwnerCanRead() throws Exception {
        String configured = Base64.getEncoder().encodeToString(SECRET);
        assertThat(AgentTokens.secret(Map.of(AgentTokens.SECRET_VARIABLE, configured)::get, dir)).isEqualTo(SECRET);
        assertThat(dir.resolve("agent-token.key")).doesNotExist();

        byte[] made = AgentTokens.secret(v -> null, dir);
        assertThat(made).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent-token.key"))))
                .isEqualTo("rw-------");
        assertThat(AgentTokens.secret(v -> null, dir)).as("the same on the next start").isEqualTo(made);
        assertThatThrownBy(() -> AgentTokens.secret(Map.of(AgentTokens.SECRET_VARIABLE, "%%%")::get, dir))
                .hasMessageContaining("not base64");
    }
}
