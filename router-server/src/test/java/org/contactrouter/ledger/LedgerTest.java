package org.contactrouter.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.contactrouter.routing.DecisionType.ASSIGNED;
import static org.contactrouter.routing.DecisionType.OFFERED;
import static org.contactrouter.routing.DecisionType.OFFER_REJECTED;
import static org.contactrouter.routing.DecisionType.QUEUED;
import static org.contactrouter.routing.DecisionType.REFUSED;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.contactrouter.routing.ContactStatus;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.Desk;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.TestConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {

    static final String ANN_PHONE = "tel:+4917012345678";

    @TempDir
    Path dir;

    Ledger ledger;

    @BeforeEach
    void open() {
        ledger = TestLedgers.open(dir);
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    /** Three agents, a billing queue with a 60 s chat target, a general queue, a mailbox open office hours only. */
    static TestConfig shop() {
        return TestConfig.create()
                .agent("ann", a -> a.skill("billing", 5).capacity(Channel.CHAT, 1))
                .agent("bob", a -> a.skill("billing", 2))
                .agent("cid", a -> { })
                .hours(TestConfig.officeHours())
                .queue("billing", q -> q.channels(Channel.CHAT, Channel.SMS).skill("billing", 2)
                        .target(Channel.CHAT, Duration.ofSeconds(60)))
                .queue("general", q -> q.channels(Channel.CHAT, Channel.VOICE, Channel.SMS))
                .queue("mail", q -> q.channels(Channel.EMAIL).hours("office"))
                .rule("invoices", "billing", r -> r.keywords("invoice", "refund"))
                .customer("Ann Lee", "gold", null, ANN_PHONE, "mailto:ann.lee@example.com");
    }

    /**
     * A morning with Ann Lee, a known customer, reaching out on three channels, and other customers besides: a call
     * answered and wrapped up, an email answered by the agent she had last, a chat (from a visitor who gives her email
     * address) abandoned, a chat declined by one agent and transferred by the next.
     */
    static Desk aMorning() {
        Desk desk = new Desk(shop().build());
        desk.available("cid");
        String call = desk.call("CA1", "+49 170 12345678").get(0).contactId();
        desk.accept("cid", call);
        desk.advance(Duration.ofMinutes(4));
        desk.left(Channel.VOICE, "CA1");
        desk.wrapUp("cid", call, "resolved");

        desk.advance(Duration.ofMinutes(10));
        desk.available("ann", "bob");
        String chat = desk.chat("v-7", "My refund is late").get(0).contactId();
        String first = desk.engine.contact(chat).orElseThrow().offeredToAgentId();
        desk.reject(first, chat);
        String second = desk.engine.contact(chat).orElseThrow().offeredToAgentId();
        desk.accept(second, chat);
        desk.transferToAgent(second, chat, "cid", "needs the phone team");
        desk.accept("cid", chat);
        desk.left(Channel.CHAT, "v-7");
        desk.wrapUp("cid", chat, "refund re-sent");

        desk.advance(Duration.ofMinutes(30));
        desk.inbound(Channel.EMAIL, "m-1@example.com", Identity.email("Ann.Lee@example.com"), "en",
                "Invoice 2024-0815", "Charged twice.", Map.of());
        String mail = desk.last(QUEUED).contactId();
        desk.accept(desk.engine.contact(mail).orElseThrow().offeredToAgentId(), mail);
        desk.wrapUp(desk.engine.contact(mail).orElseThrow().ownerAgentId(), mail, "refund issued");

        desk.advance(Duration.ofMinutes(20));
        desk.presence("ann", Presence.AWAY);
        desk.presence("bob", Presence.AWAY);
        desk.presence("cid", Presence.AWAY);
        desk.send(new CustomerMessage(Channel.CHAT, "s-1", new Customer("Ann Lee",
                List.of(Identity.chatVisitor("v-81f2"), Identity.email("ann.lee@example.com"))), "widget", "en", null,
                "Is my refund on its way?", Map.of()));
        desk.advance(Duration.ofSeconds(90));
        desk.left(Channel.CHAT, "s-1");
        return desk;
    }

    @Test
    void replayedDecisionsChangeNothing() {
        List<RoutingDecision> morning = aMorning().log;
        assertThat(ledger.record(morning)).isEqualTo(morning.size());
        String once = everything(ledger);

        assertThat(ledger.record(morning)).isZero();
        for (int i = 0; i < morning.size(); i += 7) {
            assertThat(ledger.record(morning.subList(i, Math.min(morning.size(), i + 7)))).isZero();
        }

        assertThat(everything(ledger)).isEqualTo(once);
    }

    @Test
    void overlappingBatchesRecordEachDecisionOnce() throws Exception {
        List<RoutingDecision> morning = aMorning().log;
        ledger.record(morning);
        String once = everything(ledger);

        try (Ledger other = TestLedgers.open(Files.createDirectory(dir.resolve("other")))) {
            int half = morning.size() / 2;
            assertThat(other.record(morning.subList(0, half))).isEqualTo(half);
            assertThat(other.record(morning)).isEqualTo(morning.size() - half);
            List<RoutingDecision> doubled = new ArrayList<>(morning);
            doubled.addAll(morning);
            assertThat(other.record(doubled)).isZero();

            assertThat(everything(other)).isEqualTo(once);
        }
    }

    @Test
    void contactHistoryListsEveryOfferAndWhoAccepted() {
        Desk desk = new Desk(shop().build());
        desk.available("ann", "bob");
        String chat = desk.chat("v-7", "Where is my refund?").get(0).contactId();
        String declined = desk.engine.contact(chat).orElseThrow().offeredToAgentId();
        desk.reject(declined, chat);
        String accepted = desk.engine.contact(chat).orElseThrow().offeredToAgentId();
        desk.accept(accepted, chat);
        ledger.record(desk.log);

        ContactHistory history = ledger.contact(chat).orElseThrow();

        assertThat(history.decisions()).isEqualTo(desk.log.stream().filter(d -> chat.equals(d.contactId())).toList());
        assertThat(history.decisions()).extracting(RoutingDecision::type, RoutingDecision::agentId).containsExactly(
                org.assertj.core.groups.Tuple.tuple(QUEUED, null),
                org.assertj.core.groups.Tuple.tuple(OFFERED, declined),
                org.assertj.core.groups.Tuple.tuple(OFFER_REJECTED, declined),
                org.assertj.core.groups.Tuple.tuple(OFFERED, accepted),
                org.assertj.core.groups.Tuple.tuple(ASSIGNED, accepted));
        ContactSummary contact = history.contact();
        assertThat(contact.status()).isEqualTo(ContactStatus.ASSIGNED);
        assertThat(contact.ownerAgentId()).isEqualTo(accepted);
        assertThat(contact.agents()).containsExactly(accepted);
        assertThat(contact.offers()).isEqualTo(2);
        assertThat(contact.queueId()).isEqualTo("billing");
        assertThat(contact.ruleId()).isEqualTo("invoices");
        assertThat(contact.firstText()).isEqualTo("Where is my refund?");
        assertThat(ledger.contact("c-unknown")).isEmpty();
    }

    @Test
    void customerHistoryIsFoundByAnyOfTheirIdentities() {
        ledger.record(aMorning().log);

        for (String identity : List.of(ANN_PHONE, "+49 170 12345678", "0049-170-1234-5678", "whatsapp:+4917012345678",
                "ann.lee@example.com", "mailto:Ann.Lee@Example.com", "chat:v-81f2")) {
            List<ContactSummary> contacts = ledger.customerContacts(identity);

            assertThat(contacts).as(identity).extracting(ContactSummary::channel)
                    .containsExactly(Channel.CHAT, Channel.EMAIL, Channel.VOICE);
            assertThat(contacts).as(identity).extracting(ContactSummary::status)
                    .containsExactly(ContactStatus.ABANDONED, ContactStatus.CLOSED, ContactStatus.CLOSED);
            assertThat(contacts).as(identity).extracting(ContactSummary::disposition)
                    .containsExactly(null, "refund issued", "resolved");
            assertThat(contacts.get(2).agents()).containsExactly("cid");
            assertThat(contacts.get(1).agents()).as("the agent she had last").containsExactly("cid");
            assertThat(contacts.get(0).agents()).isEmpty();
            assertThat(contacts).allSatisfy(c -> assertThat(c.customerKey()).isEqualTo(ANN_PHONE));
        }
        assertThat(ledger.customerContacts("chat:v-81f2").get(0).customerName()).isEqualTo("Ann Lee");
        assertThat(ledger.customerContacts("chat:v-7")).extracting(ContactSummary::disposition)
                .containsExactly("refund re-sent");
        assertThat(ledger.customerContacts("nobody@example.com")).isEmpty();
        assertThat(ledger.customerContacts("not an identity")).isEmpty();
    }

    @Test
    void anAddressGivenInAChatBringsItsEarlierContactsIntoTheHistory() {
        Desk desk = new Desk(shop().build());
        desk.available("cid");
        String mail = desk.inbound(Channel.EMAIL, "m-5@example.com", Identity.email("bo@example.com"), "en", "Hi",
                "Question", Map.of()).get(0).contactId();
        desk.advance(Duration.ofMinutes(1));
        String chat = desk.chat("v-9", "Hello").get(0).contactId();
        desk.left(Channel.CHAT, "v-9");
        desk.advance(Duration.ofMinutes(1));
        String again = desk.send(new CustomerMessage(Channel.CHAT, "v-9b", new Customer("Bo",
                List.of(Identity.chatVisitor("v-9"), Identity.email("bo@example.com"))), "widget", "en", null,
                "Me again, bo@example.com", Map.of())).get(0).contactId();
        ledger.record(desk.log);

        assertThat(ledger.customerContacts("bo@example.com")).extracting(ContactSummary::contactId)
                .containsExactly(again, chat, mail);
        assertThat(ledger.customerContacts("chat:v-9")).extracting(ContactSummary::contactId)
                .containsExactly(again, chat);
    }

    @Test
    void aTransferredContactListsEveryAgentWhoHandledIt() {
        Desk desk = aMorning();
        ledger.record(desk.log);
        ContactSummary chat = ledger.customerContacts("chat:v-7").get(0);

        assertThat(chat.agents()).hasSize(2).endsWith("cid");
        assertThat(chat.transfers()).isEqualTo(1);
        assertThat(chat.offers()).isEqualTo(3);
        assertThat(chat.ownerAgentId()).isEqualTo("cid");
        assertThat(chat.endedAt()).isNotNull();
        assertThat(chat.closedAt()).isAfterOrEqualTo(chat.endedAt());
    }

    @Test
    void agentContactsListWhatTheyAcceptedSince() {
        Desk desk = aMorning();
        ledger.record(desk.log);
        Instant start = Desk.START;

        assertThat(ledger.agentContacts("cid", start)).extracting(ContactSummary::channel)
                .containsExactly(Channel.EMAIL, Channel.CHAT, Channel.VOICE);
        assertThat(ledger.agentContacts("cid", start.plus(Duration.ofMinutes(5)))).extracting(ContactSummary::channel)
                .containsExactly(Channel.EMAIL, Channel.CHAT);
        // Of Ann and Bob, one declined the chat, the other took it and transferred it: only the latter handled it.
        assertThat(Stream.concat(ledger.agentContacts("ann", start).stream(), ledger.agentContacts("bob", start).stream()))
                .extracting(ContactSummary::channel).containsExactly(Channel.CHAT);
        assertThat(ledger.agentContacts("nobody", start)).isEmpty();
    }

    @Test
    void queueStatsCountAnsweredAbandonedWaitAndBreaches() {
        Desk desk = new Desk(shop().build());
        String early = desk.chat("v-0", "refund").get(0).contactId();
        desk.left(Channel.CHAT, "v-0");
        desk.advance(Duration.ofMinutes(10));
        Instant since = desk.now();
        String c1 = desk.chat("v-1", "invoice").get(0).contactId();
        desk.advance(Duration.ofSeconds(30));
        desk.available("ann");
        desk.accept("ann", c1);
        String c2 = desk.chat("v-2", "invoice").get(0).contactId();
        desk.chat("v-3", "refund");
        desk.advance(Duration.ofSeconds(10));
        desk.left(Channel.CHAT, "v-3");
        desk.advance(Duration.ofSeconds(80));
        desk.wrapUp("ann", c1, "resolved");
        desk.accept("ann", c2);
        desk.call("CA9", "+4930123456");
        ledger.record(desk.log);

        assertThat(ledger.queueStats(since)).containsExactly(
                new QueueStats("billing", 3, 2, 1, Duration.ofSeconds(60), 1),
                new QueueStats("general", 1, 0, 0, null, 0));
        assertThat(ledger.queueStats(Desk.START).get(0).abandoned()).isEqualTo(2);
        assertThat(ledger.contact(early).orElseThrow().contact().status()).isEqualTo(ContactStatus.ABANDONED);
        assertThat(ledger.contact(c2).orElseThrow().contact().waitToAnswer()).isEqualTo(Duration.ofSeconds(90));
        assertThat(ledger.contact(c2).orElseThrow().contact().slaBreached()).isTrue();
    }

    @Test
    void anAfterHoursContactWaitsFromTheOpening() {
        Instant evening = Instant.parse("2026-11-23T19:00:00Z");
        Desk desk = new Desk(shop().build(), evening);
        desk.inbound(Channel.EMAIL, "m-2@example.com", Identity.email("ann.lee@example.com"), "en", "Refund",
                "Still waiting.", Map.of());
        String mail = desk.last(DecisionType.AFTER_HOURS).contactId();
        ledger.record(desk.log);
        ContactSummary scheduled = ledger.contact(mail).orElseThrow().contact();
        Instant opening = Instant.parse("2026-11-24T08:00:00Z");
        assertThat(scheduled.status()).isEqualTo(ContactStatus.SCHEDULED);
        assertThat(scheduled.dueAt()).isEqualTo(opening);
        assertThat(scheduled.queuedAt()).isNull();

        desk.advance(Duration.between(evening, opening));
        desk.advance(Duration.ofMinutes(5));
        desk.available("ann");
        desk.accept("ann", mail);
        ledger.record(desk.log);

        ContactSummary answered = ledger.contact(mail).orElseThrow().contact();
        assertThat(answered.openedAt()).isEqualTo(evening);
        assertThat(answered.queuedAt()).isEqualTo(opening);
        assertThat(answered.waitToAnswer()).isEqualTo(Duration.ofMinutes(5));
        assertThat(answered.subject()).isEqualTo("Refund");
        assertThat(answered.customerName()).isNull();
    }

    @Test
    void aFollowUpIsAContactOfItsOwnLinkedToItsOrigin() {
        Desk desk = new Desk(shop().build());
        desk.available("ann");
        String chat = desk.chat("v-1", "refund please").get(0).contactId();
        desk.accept("ann", chat);
        desk.wrapUp("ann", chat, "waiting for bank", desk.now().plus(Duration.ofHours(3)), "check the refund");
        desk.advance(Duration.ofHours(3));
        String followUp = chat + ".f1";
        desk.accept("ann", followUp);
        ledger.record(desk.log);

        ContactSummary f = ledger.contact(followUp).orElseThrow().contact();

        assertThat(f.originContactId()).isEqualTo(chat);
        assertThat(f.firstText()).isEqualTo("check the refund");
        assertThat(f.status()).isEqualTo(ContactStatus.ASSIGNED);
        assertThat(f.ownerAgentId()).isEqualTo("ann");
        assertThat(f.queuedAt()).isEqualTo(Desk.START.plus(Duration.ofHours(3)));
        assertThat(ledger.customerContacts("chat:v-1")).extracting(ContactSummary::contactId)
                .containsExactly(followUp, chat);
    }

    @Test
    void refusalsAreKeptButLeaveTheContactAsItWas() {
        Desk desk = new Desk(shop().build());
        desk.available("ann", "bob");
        String chat = desk.chat("v-1", "refund please").get(0).contactId();
        String offered = desk.engine.contact(chat).orElseThrow().offeredToAgentId();
        String other = offered.equals("ann") ? "bob" : "ann";
        desk.send(new OfferAccepted(other, chat + ".o1"));
        ledger.record(desk.log);

        ContactHistory history = ledger.contact(chat).orElseThrow();

        assertThat(history.decisions()).extracting(RoutingDecision::type).containsExactly(QUEUED, OFFERED, REFUSED);
        assertThat(history.contact().status()).isEqualTo(ContactStatus.OFFERED);
        assertThat(history.contact().ownerAgentId()).isNull();
        assertThat(history.contact().agents()).isEmpty();
    }

    @Test
    void theCsvExportDefusesSpreadsheetFormulasInCustomersText() {
        Desk desk = new Desk(shop().build());
        desk.send(new CustomerMessage(Channel.EMAIL, "m-9@example.com", new Customer("=HYPERLINK(\"http://evil\")",
                List.of(Identity.email("eve@example.com"))), "support@acme.example", "en",
                "+SUM(1,2)", "hello", Map.of()));
        desk.send(new CustomerMessage(Channel.EMAIL, "m-10@example.com", new Customer("@cmd",
                List.of(Identity.email("mallory@example.com"))), "support@acme.example", "en",
                "\t-2+3", "hello", Map.of()));
        ledger.record(desk.log);
        StringWriter csv = new StringWriter();

        ledger.exportCsv(Desk.START, Desk.START.plus(Duration.ofMinutes(30)), csv);

        List<String> rows = csv.toString().lines().skip(1).toList();
        assertThat(rows).hasSize(2);
        assertThat(csv.toString()).contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",").contains(",\"'+SUM(1,2)\",")
                .contains(",'@cmd,").contains(",'\t-2+3,");
        for (String row : rows) {
            for (String cell : row.split(",")) {
                String text = cell.startsWith("\"") ? cell.substring(1) : cell;
                assertThat(text).as("no cell a spreadsheet would run: %s", row).doesNotStartWith("=")
                        .doesNotStartWith("+").doesNotStartWith("@").doesNotStartWith("\t");
            }
        }
    }

    @Test
    void exportsContactsAsCsv() {
        Desk desk = new Desk(shop().build());
        desk.available("cid");
        desk.send(new CustomerMessage(Channel.EMAIL, "m-3@example.com", new Customer("Lee, Ann",
                List.of(Identity.email("ann.lee@example.com"))), "support@acme.example", "en",
                "Invoice 2024-0815, \"charged twice\"", "Hello,\nplease refund.", Map.of()));
        String mail = desk.last(QUEUED).contactId();
        desk.advance(Duration.ofSeconds(12));
        desk.accept("cid", mail);
        desk.wrapUp("cid", mail, "refund issued");
        desk.advance(Duration.ofHours(1));
        desk.call("CA2", "+4930123456");
        ledger.record(desk.log);
        StringWriter csv = new StringWriter();

        ledger.exportCsv(Desk.START, Desk.START.plus(Duration.ofMinutes(30)), csv);

        assertThat(csv.toString()).isEqualTo(String.join("\r\n",
                "contact_id,opened_at,channel,customer_key,customer_name,subject,queue_id,rule_id,status,agents,"
                        + "owner_agent_id,queued_at,assigned_at,wait_seconds,ended_at,closed_at,disposition,offers,"
                        + "transfers,sla_breached,origin_contact_id",
                mail + ",2026-11-23T09:00:00Z,email,tel:+4917012345678,\"Lee, Ann\","
                        + "\"Invoice 2024-0815, \"\"charged twice\"\"\",mail,,closed,cid,cid,"
                        + "2026-11-23T09:00:00Z,2026-11-23T09:00:12Z,12,,2026-11-23T09:00:12Z,refund issued,1,0,"
                        + "false,", ""));
    }

    @Test
    void theSchemaIsAppliedOnceAndTheRecordSurvivesReopening() throws Exception {
        List<RoutingDecision> morning = aMorning().log;
        ledger.record(morning);
        ledger.close();

        ledger = TestLedgers.open(dir);

        assertThat(ledger.record(morning)).isZero();
        assertThat(ledger.customerContacts(ANN_PHONE)).hasSize(3);
        try (Connection c = TestLedgers.connect(dir);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version, description FROM schema_version ORDER BY version")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(1);
            assertThat(r.getString(2)).isEqualTo("ledger");
            assertThat(r.next()).isFalse();
        }
    }

    @Test
    void aLedgerThatCannotOpenSaysWhereButNotThePassword() {
        assertThatThrownBy(() -> Ledger.open("jdbc:nowhere://db:5432/router?user=app&password=secret", null, null))
                .isInstanceOf(LedgerException.class)
                .hasMessageContaining("cannot open the ledger at jdbc:nowhere://db:5432/router?user=app&password=***")
                .hasMessageNotContaining("secret");
    }

    @Test
    void everyMigrationFileIsListed() throws Exception {
        Path folder = Path.of(LedgerTest.class.getClassLoader().getResource("db/ledger").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(f -> "db/ledger/" + f.getFileName())).containsExactlyInAnyOrderElementsOf(
                    Ledger.MIGRATIONS);
        }
    }

    @Test
    void migrationStatementsAreSplitAtSemicolonsWithoutComments() {
        assertThat(Migrations.statements("-- a table;\nCREATE TABLE a (x INTEGER);\n\n  -- more\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INTEGER)", "CREATE INDEX i ON a (x)");
    }

    /** Everything the ledger tells about a day, as text to compare. */
    static String everything(Ledger ledger) {
        StringWriter all = new StringWriter();
        ledger.exportCsv(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"), all);
        all.write(ledger.queueStats(Instant.EPOCH).toString());
        for (String agent : List.of("ann", "bob", "cid")) {
            all.write(ledger.agentContacts(agent, Instant.EPOCH).toString());
        }
        for (String line : all.toString().split("\r\n")) {
            String id = line.split(",")[0];
            ledger.contact(id).ifPresent(h -> all.write(h.toString()));
        }
        return all.toString();
    }
}
