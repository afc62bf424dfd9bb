package org.contactrouter.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keeps contact-event.schema.json honest: it must describe what ContactEventJson writes and reads. */
class ContactEventSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode SCHEMA = load();

    @Test
    void typeEnumListsExactlyTheRegisteredTypes() {
        List<String> registered = ContactEventJson.types().keySet().stream().map(t -> ContactEvent.TYPE_PREFIX + t).toList();

        assertThat(strings(SCHEMA.at("/properties/type/enum"))).containsExactlyElementsOf(registered);
        assertThat(SCHEMA.get("allOf")).extracting(branch -> branch.at("/if/properties/type/const").asText())
                .containsExactlyElementsOf(registered);
    }

    @Test
    void declaresExactlyTheEnvelopeAttributesTheCodecWrites() {
        Set<String> written = new LinkedHashSet<>();
        SampleEvents.all().forEach(e -> written.addAll(names(tree(e))));

        assertThat(names(SCHEMA.get("properties"))).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void declaresForEveryTypeExactlyTheDataFieldsTheCodecWrites() {
        for (String type : ContactEventJson.types().keySet()) {
            Set<String> written = new LinkedHashSet<>();
            samplesOf(type).forEach(e -> written.addAll(names(tree(e).get("data"))));

            assertThat(written).as("samples of %s set every field of its record", type)
                    .containsExactlyInAnyOrderElementsOf(components(ContactEventJson.types().get(type)));
            assertThat(names(dataDefinition(type).get("properties"))).as(type)
                    .containsExactlyInAnyOrderElementsOf(written);
        }
    }

    @Test
    void declaresExactlyTheCustomerFieldsTheCodecWrites() {
        Set<String> written = new LinkedHashSet<>();
        SampleEvents.all().stream().filter(e -> e.data() instanceof InboundContact)
                .forEach(e -> written.addAll(names(tree(e).at("/data/customer"))));

        assertThat(written).containsExactlyInAnyOrderElementsOf(components(Customer.class));
        assertThat(names(SCHEMA.at("/$defs/customer/properties"))).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void requiresExactlyTheAttributesTheCodecCannotDoWithout() {
        Set<String> required = new LinkedHashSet<>(strings(SCHEMA.get("required")));
        ContactEvent event = SampleEvents.all().get(0);
        for (String attribute : names(tree(event))) {
            ObjectNode json = tree(event);
            json.remove(attribute);
            assertRejectedIff(required.contains(attribute), json, attribute);
        }
    }

    @Test
    void requiresForEveryTypeExactlyTheDataFieldsTheCodecCannotDoWithout() {
        for (ContactEvent event : SampleEvents.all()) {
            JsonNode definition = dataDefinition(event.data().type());
            Set<String> required = new LinkedHashSet<>(strings(definition.path("required")));
            Set<String> oneOf = new LinkedHashSet<>();
            definition.path("oneOf").forEach(alternative -> oneOf.addAll(strings(alternative.path("required"))));
            for (String field : names(tree(event).get("data"))) {
                ObjectNode json = tree(event);
                ((ObjectNode) json.get("data")).remove(field);
                if (oneOf.contains(field)) {
                    assertThatThrownBy(() -> ContactEventJson.read(json.toString())).as("schema requires one of %s", oneOf)
                            .hasMessageContaining(field + "=null");
                } else {
                    assertRejectedIff(required.contains(field), json, "data." + field);
                }
            }
        }
    }

    @Test
    void enumeratesTheWireNamesOfChannelsAndPresences() {
        assertThat(strings(SCHEMA.at("/$defs/channel/enum")))
                .containsExactlyElementsOf(Arrays.stream(Channel.values()).map(Channel::wireName).toList());
        assertThat(strings(SCHEMA.at("/$defs/presence/enum")))
                .containsExactlyElementsOf(Arrays.stream(Presence.values()).map(Presence::wireName).toList());
    }

    @Test
    void identityPatternMatchesTheKeysTheCodecWrites() {
        String pattern = SCHEMA.at("/$defs/identity/pattern").asText();
        SampleEvents.all().stream().filter(e -> e.data() instanceof InboundContact)
                .flatMap(e -> ((InboundContact) e.data()).customer().identities().stream())
                .forEach(identity -> assertThat(identity.key()).matches(pattern));
        assertThat("tel:0170").doesNotMatch(pattern);
    }

    private static void assertRejectedIff(boolean required, ObjectNode json, String field) {
        String text = json.toString();
        if (required) {
            assertThatThrownBy(() -> ContactEventJson.read(text)).as("schema requires %s", field)
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining(field + ": missing");
        } else {
            assertThatCode(() -> ContactEventJson.read(text)).as("schema does not require %s", field).doesNotThrowAnyException();
        }
    }

    /** The definition the schema applies to the data of this type, found the way a validator finds it. */
    private static JsonNode dataDefinition(String type) {
        for (JsonNode branch : SCHEMA.get("allOf")) {
            if (branch.at("/if/properties/type/const").asText().equals(ContactEvent.TYPE_PREFIX + type)) {
                String ref = branch.at("/then/properties/data/$ref").asText();
                JsonNode definition = SCHEMA.at(ref.substring(1));
                assertThat(definition.isObject()).as("%s resolves", ref).isTrue();
                return definition;
            }
        }
        throw new AssertionError("schema has no data definition for " + type);
    }

    private static List<ContactEvent> samplesOf(String type) {
        return SampleEvents.all().stream().filter(e -> e.data().type().equals(type)).toList();
    }

    private static List<String> components(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    private static ObjectNode tree(ContactEvent event) {
        try {
            return (ObjectNode) JSON.readTree(ContactEventJson.write(event));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> names(JsonNode object) {
        return object.properties().stream().map(Map.Entry::getKey).toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(s -> strings.add(s.asText()));
        return strings;
    }

    private static JsonNode load() {
        try (InputStream in = ContactEventJson.class.getResourceAsStream("contact-event.schema.json")) {
            assertThat(in).as("contact-event.schema.json next to ContactEventJson").isNotNull();
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
