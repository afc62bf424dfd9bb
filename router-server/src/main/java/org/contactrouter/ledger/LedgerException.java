package org.contactrouter.ledger;

/** The ledger's database failed: the batch or query did not happen and may be tried again. */
public final class LedgerException extends RuntimeException {

    LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
