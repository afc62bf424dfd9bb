/**
 * The ledger: the relational record of who each contact went to, written from the decision log.
 *
 * <p>{@link org.contactrouter.ledger.LedgerWriter} consumes {@code routing.decisions} and hands each batch to
 * {@link org.contactrouter.ledger.Ledger#record}, which stores it in one transaction. The schema
 * ({@code src/main/resources/db/ledger/V*.sql}):
 * <ul>
 *   <li>{@code decisions}: every decision once, keyed by its id; its fields as columns and the whole decision as JSON
 *       ({@code decision_json}, the form of {@link org.contactrouter.server.wire.DecisionJson}).</li>
 *   <li>{@code contacts}: one row per contact, moved on by each new decision about it: customer, channel, subject,
 *       first message, queue, rule, status, owner, when it opened, queued, was answered, ended and closed, the
 *       disposition, offers, transfers, whether its response target was breached, and for a follow-up the contact
 *       it follows up. Refusals do not touch it.</li>
 *   <li>{@code agent_contacts}: every agent who accepted a contact, from when.</li>
 *   <li>{@code identities}: each identity key a decision showed ({@code tel:+49...}, {@code mailto:...},
 *       {@code chat:...}) and the customer key the router tied it to first.</li>
 *   <li>{@code schema_version}: the migrations applied.</li>
 * </ul>
 */
package org.contactrouter.ledger;
