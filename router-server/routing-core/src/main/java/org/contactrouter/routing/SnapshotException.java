package org.contactrouter.routing;

/**
 * A snapshot that cannot be taken now, or cannot be read into an engine: of another format version, damaged (its
 * checksum does not match), or for another domain or config version than the one given. The caller falls back to
 * rebuilding the engine from the journal; a snapshot is never read into a state it does not describe.
 */
public final class SnapshotException extends RuntimeException {

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
