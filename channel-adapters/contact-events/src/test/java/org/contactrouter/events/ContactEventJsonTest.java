package org.contactrouter.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContactEventJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ContactEvent SMS = ContactEvent.of(EventIds.twilioMessage("SM42"), "/twilio/sms",
            Instant.parse("2024-05-14T09:30:00Z"),
            new CustomerMessage(Channel.SMS, "+4917012345678", Customer.of(null, Identity.phone("+49 170 12345678")),
                    "+4930901820", null, null, "Hello", Map.of()));

    @Test
    void roundTripsEveryEventType() {
        assertThat(SampleEvents.all()).extracting(e -> e.data().type()).containsAll(ContactEventJson.types().keySet());
        for (ContactEvent event : SampleEvents.all()) {
            assertThat(ContactEventJson.read(ContactEventJson.write(event))).isEqualTo(event);
            assertThat(ContactEventJson.read(ContactEventJson.writeBytes(event))).isEqualTo(event);
        }
    }

    @Test
    void registersEveryRecordOfTheSealedHierarchyUnderItsOwnType() throws ReflectiveOperationException {
        List<Class<?>> records = new ArrayList<>();
        collectRecords(EventData.class, records);
        assertThat(new ArrayList<Class<?>>(ContactEventJson.types().values())).containsExactlyInAnyOrderElementsOf(records);
        for (Map.Entry<String, Class<? extends EventData>> e : ContactEventJson.types().entrySet()) {
            assertThat(e.getValue().getField("TYPE").get(null)).as(e.getValue().getSimpleName()).isEqualTo(e.getKey());
        }
    }

    @Test
    void writesCloudEventsStructuredMode() throws Exception {
        JsonNode json = JSON.readTree(ContactEventJson.write(SMS));

        assertThat(fieldNames(json)).containsExactly(
                "specversion", "id", "source", "type", "time", "subject", "domain", "datacontenttype", "data");
        assertThat(json.get("specversion").asText()).isEqualTo("1.0");
        assertThat(json.get("id").asText()).isEqualTo("twilio:SM42");
        assertThat(json.get("type").asText()).isEqualTo("org.contactrouter.customer.message");
        assertThat(json.get("time").asText()).isEqualTo("2024-05-14T09:30:00Z");
        assertThat(json.get("subject").asText()).isEqualTo("sms:+4917012345678");
        assertThat(json.get("domain").asText()).isEqualTo("default");
        assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
    }

    @Test
    void writesEnumsByWireNameAndIdentitiesAsKeys() throws Exception {
        JsonNode data = JSON.readTree(ContactEventJson.write(SMS)).get("data");
        JsonNode presence = JSON.readTree(ContactEventJson.write(ContactEvent.of("p-1", "/agent-desktop",
                Instant.parse("2024-05-14T09:30:00Z"), new PresenceChanged("mia", Presence.WRAP_UP)))).get("data");

        assertThat(data.get("channel").asText()).isEqualTo("sms");
        assertThat(data.get("customer").toString()).isEqualTo("{\"identities\":[\"tel:+4917012345678\"]}");
        assertThat(presence.get("presence").asText()).isEqualTo("wrap-up");
    }

    @Test
    void leavesOutNullsAndEmptyAttributes() throws Exception {
        ContactEvent offer = ContactEvent.of("o-1", "/agent-desktop", Instant.parse("2024-05-14T09:30:00Z"),
                new OfferRejected("mia", "offer-1", null));
        JsonNode json = JSON.readTree(ContactEventJson.write(offer));

        assertThat(json.has("subject")).isFalse();
        assertThat(fieldNames(json.get("data"))).containsExactly("agentId", "offerId");
        assertThat(fieldNames(JSON.readTree(ContactEventJson.write(SMS)).get("data")))
                .containsExactly("channel", "conversation", "customer", "endpoint", "text");
    }

    @Test
    void writesInstantsInRfc3339WithTheirFraction() throws Exception {
        ContactEvent wrapUp = ContactEvent.of("w-1", "/agent-desktop", Instant.parse("2024-05-14T09:30:00.123456789Z"),
                new ContactWrappedUp("mia", "c-1", "resolved", Instant.parse("2024-05-15T08:00:00Z"), null));
        JsonNode json = JSON.readTree(ContactEventJson.write(wrapUp));

        assertThat(json.get("time").asText()).isEqualTo("2024-05-14T09:30:00.123456789Z");
        assertThat(json.get("data").get("followUpAt").asText()).isEqualTo("2024-05-15T08:00:00Z");
    }

    @Test
    void writesAttributesInKeyOrderSoTheSameEventGivesTheSameBytes() {
        ContactEvent event = withData(SMS, data -> data.putObject("attributes")
                .put("tier", "gold").put("preferredAgent", "mia").put("campaign", "spring"));

        assertThat(ContactEventJson.write(event)).contains("\"attributes\":{\"campaign\":\"spring\",\"preferredAgent\":\"mia\",\"tier\":\"gold\"}");
    }

    @Test
    void readsTimesWithAnOffsetAsTheSameInstant() {
        ContactEvent event = ContactEventJson.read(with(SMS, json -> json.put("time", "2024-05-14T11:30:00+02:00")));

        assertThat(event.time()).isEqualTo(Instant.parse("2024-05-14T09:30:00Z"));
    }

    @Test
    void defaultsTheDomainWhenAbsent() {
        ContactEvent event = ContactEventJson.read(with(SMS, json -> json.remove("domain")));

        assertThat(event.domain()).isEqualTo(ContactEvent.DEFAULT_DOMAIN);
    }

    @Test
    void readsTheWaysProducersWriteValuesIntoTheCanonicalForm() {
        ContactEvent event = withData(SMS, data -> {
            data.put("channel", "SMS");
            data.putObject("customer").putArray("identities").add("whatsapp:+49 170 12345678").add("Ann@Example.com");
        });

        assertThat(event.data()).isInstanceOfSatisfying(CustomerMessage.class, m -> {
            assertThat(m.channel()).isEqualTo(Channel.SMS);
            assertThat(m.customer().identities()).extracting(Identity::key)
                    .containsExactly("tel:+4917012345678", "mailto:ann@example.com");
        });
    }

    @Test
    void toleratesUnknownAttributesAndDataFields() {
        String json = with(SMS, root -> {
            root.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            root.put("dataschema", "https://example.com/contact-event.schema.json");
            ((ObjectNode) root.get("data")).put("sentiment", "angry");
            ((ObjectNode) root.get("data").get("customer")).put("loyaltyId", "L-77");
        });

        assertThat(ContactEventJson.read(json)).isEqualTo(SMS);
    }

    @Test
    void acceptsJsonMediaTypesWithParameters() {
        String json = with(SMS, root -> root.put("datacontenttype", "application/json; charset=utf-8"));

        assertThat(ContactEventJson.read(json)).isEqualTo(SMS);
    }

    @Test
    void rejectsUnknownTypeNamingKnownTypes() {
        String json = with(SMS, root -> root.put("type", "org.contactrouter.customer.waved"));

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("type: 'org.contactrouter.customer.waved'")
                .hasMessageContaining("expected one of: org.contactrouter.contact.opened, org.contactrouter.customer.message")
                .hasMessageContaining("org.contactrouter.contact.wrapped-up");
    }

    @Test
    void rejectsTheShortTypeNamingTheFullOne() {
        String json = with(SMS, root -> root.put("type", "customer.message"));

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .hasMessageContaining("type: 'customer.message'")
                .hasMessageContaining("org.contactrouter.customer.message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"specversion", "id", "source", "type", "time", "data"})
    void rejectsEventWithoutARequiredAttributeNamingIt(String attribute) {
        String json = with(SMS, root -> root.remove(attribute));

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(attribute + ": missing");
    }

    @Test
    void rejectsWrongSpecVersion() {
        String json = with(SMS, root -> root.put("specversion", "0.3"));

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .hasMessage("invalid contact event 'twilio:SM42': specversion: '0.3' (expected '1.0')");
    }

    @Test
    void rejectsMalformedJsonWithLineAndColumn() {
        String json = "{\n  \"specversion\": \"1.0\",\n  \"id\": \"x\"\n  \"source\": \"/twilio/sms\"\n}";

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("invalid contact event: malformed JSON at line 4, column 3: ")
                .hasMessageContaining("expecting comma");
    }

    @Test
    void rejectsTruncatedJsonWithoutJacksonInternals() {
        String json = ContactEventJson.write(SMS).substring(0, 60);

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .hasMessageStartingWith("invalid contact event: malformed JSON at line 1, column 61: Unexpected end-of-input")
                .hasMessageNotContaining("REDACTED");
    }

    @Test
    void rejectsContentAfterTheEvent() {
        String json = ContactEventJson.write(SMS) + "\n{}";

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .hasMessageContaining("malformed JSON at line 2")
                .hasMessageContaining("more content after the event's closing brace");
    }

    @Test
    void rejectsDuplicateAttributes() {
        String json = ContactEventJson.write(SMS).replace("\"id\":\"twilio:SM42\"", "\"id\":\"twilio:SM42\",\"id\":\"twilio:SM43\"");

        assertThatThrownBy(() -> ContactEventJson.read(json)).hasMessageContaining("Duplicate field 'id'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "[]", "\"event\"", "null"})
    void rejectsInputThatIsNoJsonObject(String json) {
        assertThatThrownBy(() -> ContactEventJson.read(json))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("expected a CloudEvents JSON object");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] json = ContactEventJson.write(SMS).replace("Hello", "Hello\u00e9").getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("malformed JSON at line 1")
                .hasMessageContaining("UTF-8");
    }

    @Test
    void rejectsUnknownChannelNamingTheChoices() {
        assertThatThrownBy(() -> withData(SMS, data -> data.put("channel", "fax")))
                .hasMessage("invalid contact event 'twilio:SM42': data.channel: 'fax' (expected one of: voice, sms, whatsapp, email, chat)");
    }

    @Test
    void rejectsPhoneNumberWithoutCountryCodeNamingTheIdentity() {
        assertThatThrownBy(() -> withData(SMS, data -> data.putObject("customer").putArray("identities").add("tel:0170 1234567")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("data.customer.identities[0]: phone: '0170 1234567'")
                .hasMessageContaining("country code");
    }

    @Test
    void rejectsIdentityWithUnknownScheme() {
        assertThatThrownBy(() -> withData(SMS, data -> data.putObject("customer").putArray("identities").add("sip:ann@example.com")))
                .hasMessageContaining("data.customer.identities[0]: identity: 'sip:ann@example.com'")
                .hasMessageContaining("expected tel:, mailto:, chat: or whatsapp:");
    }

    @Test
    void rejectsCustomerWithoutIdentities() {
        assertThatThrownBy(() -> withData(SMS, data -> data.putObject("customer").putArray("identities")))
                .hasMessageContaining("data.customer.identities: [] (expected at least one phone, email or chat identity)");
        assertThatThrownBy(() -> withData(SMS, data -> data.putObject("customer").put("name", "Ann")))
                .hasMessageContaining("data.customer.identities: missing");
    }

    @Test
    void rejectsMissingDataFieldNamingIt() {
        assertThatThrownBy(() -> withData(SMS, data -> data.remove("conversation")))
                .hasMessage("invalid contact event 'twilio:SM42': data.conversation: missing (expected a non-empty string)");
        assertThatThrownBy(() -> withData(SMS, data -> data.remove("channel")))
                .hasMessage("invalid contact event 'twilio:SM42': data.channel: missing (required)");
    }

    @Test
    void rejectsBlankDataFieldNamingIt() {
        assertThatThrownBy(() -> withData(SMS, data -> data.put("conversation", " ")))
                .hasMessageContaining("data.conversation: ' ' (expected a non-empty string)");
    }

    @Test
    void rejectsValueOfTheWrongJsonType() {
        assertThatThrownBy(() -> withData(SMS, data -> data.put("text", 42)))
                .hasMessageContaining("data.text: 42 (expected a string)");
        assertThatThrownBy(() -> withData(SMS, data -> data.putObject("attributes").put("tier", 3)))
                .hasMessageContaining("data.attributes.tier: 3 (expected a string)");
        assertThatThrownBy(() -> withData(SMS, data -> data.put("customer", "tel:+4917012345678")))
                .hasMessageContaining("data.customer: 'tel:+4917012345678' (expected a JSON object)");
        assertThatThrownBy(() -> ContactEventJson.read(with(SMS, root -> root.put("data", "hello"))))
                .hasMessageContaining("data: 'hello' (expected a JSON object)");
    }

    @Test
    void rejectsTimeThatIsNotRfc3339() {
        assertThatThrownBy(() -> ContactEventJson.read(with(SMS, root -> root.put("time", "2024-05-14 09:30"))))
                .hasMessageContaining("time: '2024-05-14 09:30' (expected an RFC 3339 timestamp such as 2024-05-14T09:30:00Z)");
        assertThatThrownBy(() -> ContactEventJson.read(with(SMS, root -> root.put("time", "2024-05-14T09:30:00"))))
                .as("no offset")
                .hasMessageContaining("time: '2024-05-14T09:30:00'");
    }

    @Test
    void rejectsTransferToBothAnAgentAndAQueue() {
        ContactEvent transfer = ContactEvent.of("t-1", "/agent-desktop", Instant.parse("2024-05-14T09:30:00Z"),
                new TransferRequested("mia", "c-1", "jonas", null, "refund"));

        assertThatThrownBy(() -> withData(transfer, data -> data.put("toQueueId", "billing")))
                .hasMessageContaining("data: transfer: toAgentId=jonas, toQueueId=billing (expected exactly one of the two)");
    }

    @Test
    void rejectsBlankDomain() {
        assertThatThrownBy(() -> ContactEventJson.read(with(SMS, root -> root.put("domain", ""))))
                .hasMessageContaining("domain: '' (expected a non-empty string)");
    }

    @Test
    void rejectsNonJsonDataContentType() {
        assertThatThrownBy(() -> ContactEventJson.read(with(SMS, root -> root.put("datacontenttype", "text/plain"))))
                .hasMessageContaining("datacontenttype: 'text/plain' (expected 'application/json')");
    }

    @Test
    void rejectsBinaryDataSayingWhereThePayloadBelongs() {
        String json = with(SMS, root -> {
            root.remove("data");
            root.put("data_base64", "eyJ0ZXh0IjoiaGkifQ==");
        });

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .hasMessageContaining("data_base64: not supported (expected the payload as a JSON object in data)");
    }

    @Test
    void cutsLongValuesInMessages() {
        String json = with(SMS, root -> root.put("specversion", "1".repeat(500)));

        assertThatThrownBy(() -> ContactEventJson.read(json))
                .hasMessageContaining("specversion: '" + "1".repeat(76) + "...")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    private static void collectRecords(Class<?> type, List<Class<?>> records) {
        if (type.isRecord()) {
            records.add(type);
            return;
        }
        for (Class<?> sub : type.getPermittedSubclasses()) {
            collectRecords(sub, records);
        }
    }

    private static List<String> fieldNames(JsonNode json) {
        return json.properties().stream().map(Map.Entry::getKey).toList();
    }

    /** The event's JSON, changed. */
    private static String with(ContactEvent event, Consumer<ObjectNode> change) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(ContactEventJson.write(event));
            change.accept(json);
            return JSON.writeValueAsString(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event with its data changed, read back. */
    private static ContactEvent withData(ContactEvent event, Consumer<ObjectNode> change) {
        return ContactEventJson.read(with(event, root -> change.accept((ObjectNode) root.get("data"))));
    }
}
