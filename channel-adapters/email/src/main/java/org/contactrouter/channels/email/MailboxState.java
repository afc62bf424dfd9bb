package org.contactrouter.channels.email;

import java.time.Instant;

/**
 * What the mailbox reader is doing, for the server's readiness check and metrics. Ready means {@link Status#IDLE}
 * or {@link Status#POLLING}: connected and waiting for mail.
 *
 * @param status    what the reader is doing
 * @param lastError the current problem (connection lost, a mail that could not be published), or null when there
 *                  is none
 * @param since     when the reader entered this status
 * @param received  mails read from the folder, counting a mail read again after a failure once more
 * @param published contact events the publisher confirmed (a rejected mail's notice included)
 * @param rejected  mails not taken in whole (over a limit or unreadable) whose notice was published
 */
public record MailboxState(Status status, String lastError, Instant since, long received, long published,
                           long rejected) {

    /** The reader's state. */
    public enum Status {
        /** Connecting to the IMAP server and opening the folder (also before the first connection). */
        CONNECTING,
        /** Connected, waiting with IMAP IDLE for new mail (and checking every poll interval). */
        IDLE,
        /** Connected to a server without a working IDLE, checking every poll interval. */
        POLLING,
        /** The connection failed or was lost; waiting before the next attempt (1 s, doubling up to 60 s). */
        RECONNECTING,
        /** Not running: not started yet, or closed. */
        STOPPED
    }

    /** Connected and waiting for mail. */
    public boolean ready() {
        return status == Status.IDLE || status == Status.POLLING;
    }
}
