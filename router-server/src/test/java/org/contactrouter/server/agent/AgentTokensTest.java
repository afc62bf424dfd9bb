package org.contactrouter.server.agent;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords are stored only as salted hashes; tokens name their agent, expire, and cannot be forged. */
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

    @Test
    void aTokenNamesItsAgentUntilItExpires() {
        AgentTokens tokens = new AgentTokens(SECRET, Duration.ofHours(12), Clock.fixed(NOW, ZoneOffset.UTC));
        AgentTokens.Issued issued = tokens.issue("anna");
        assertThat(issued.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(12)));
        assertThat(tokens.agentOf(issued.token())).contains("anna");

        AgentTokens later = new AgentTokens(SECRET, Duration.ofHours(12),
                Clock.fixed(NOW.plus(Duration.ofHours(12)), ZoneOffset.UTC));
        assertThat(later.agentOf(issued.token())).isEmpty();
    }

    @Test
    void aTamperedTokenOrOneSignedWithAnotherSecretIsRefused() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AgentTokens tokens = new AgentTokens(SECRET, Duration.ofHours(1), clock);
        String token = tokens.issue("anna").token();
        String otherAgent = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("ben\n" + NOW.plusSeconds(3600).getEpochSecond()).getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(tokens.agentOf(otherAgent + token.substring(token.indexOf('.')))).isEmpty();
        assertThat(tokens.agentOf(token.substring(0, token.length() - 2) + "AA")).isEmpty();
        assertThat(tokens.agentOf("not-a-token")).isEmpty();
        assertThat(tokens.agentOf(null)).isEmpty();
        byte[] other = SECRET.clone();
        other[0] = 8;
        assertThat(new AgentTokens(other, Duration.ofHours(1), clock).agentOf(token)).isEmpty();
        assertThatThrownBy(() -> new AgentTokens(new byte[16], Duration.ofHours(1), clock))
                .hasMessageContaining("at least 32");
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
