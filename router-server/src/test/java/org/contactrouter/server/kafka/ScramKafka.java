package org.contactrouter.server.kafka;

import java.nio.file.Path;

/** An embedded broker whose clients must sign in with SASL/SCRAM-SHA-256, for tests outside this package. */
public final class ScramKafka {

    public static final String MECHANISM = "SCRAM-SHA-256";

    private ScramKafka() {
    }

    /** Starts a broker in {@code dataDir} on a free port that lets in {@code user} with {@code password} only. */
    public static EmbeddedKafka start(Path dataDir, String user, String password) {
        return EmbeddedKafka.start(dataDir, 0, EmbeddedKafka::freePort,
                new EmbeddedKafka.ScramUser(MECHANISM, user, password));
    }

    /** The JAAS line a client signs in with as {@code user}. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
