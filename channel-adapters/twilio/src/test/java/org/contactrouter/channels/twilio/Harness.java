package org.contactrouter.channels.twilio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.xml.parsers.DocumentBuilderFactory;
import org.contactrouter.events.DeliveryReport;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One adapter under test, as the server runs it: its webhooks on loopback HTTP, its REST calls going to a stub of
 * Twilio's API, an in-memory publisher and delivery-report recorder, and a fixed clock.
 */
final class Harness implements AutoCloseable {

    static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    static final String AUTH_TOKEN = "9d2f6c1be0a84b7f93c5e1d0a6b4c2f8";
    /** Where Twilio calls us: a proxy in front, with a path prefix; the local server is at another address. */
    static final String PUBLIC_BASE = "https://contact.example.com/router";
    static final String OUR_NUMBER = "+4930901820";
    static final String CUSTOMER = "+4917012345678";
    static final Instant NOW = Instant.parse("2026-11-23T15:00:00Z");

    final RecordingPublisher publisher = new RecordingPublisher();
    final List<DeliveryReport> reports = new CopyOnWriteArrayList<>();
    final TwilioApiStub api;
    final TwilioSettings settings;
    final TwilioChannel channel;
    final WebhookServer webhooks;

    Harness() throws IOException {
        this(Duration.ofSeconds(2), true);
    }

    Harness(Duration answerWait, boolean voicemail) throws IOException {
        this(answerWait, voicemail, Duration.ofSeconds(5));
    }

    Harness(Duration answerWait, boolean voicemail, Duration restTimeout) throws IOException {
        api = new TwilioApiStub();
        settings = new TwilioSettings(ACCOUNT_SID, AUTH_TOKEN, URI.create(PUBLIC_BASE), api.baseUrl(),
                "https://hold.example.com/music.xml", voicemail, answerWait,
                Map.of(OUR_NUMBER, "support", "whatsapp:+4930901899", "shop"), "default");
        channel = new TwilioChannel(settings, publisher, reports::add, Clock.fixed(NOW, ZoneOffset.UTC), restTimeout);
        webhooks = new WebhookServer(channel);
    }

    /** POSTs a form as Twilio would: signed for the public URL, sent to the local one. */
    HttpResponse<String> twilioPosts(String path, String query, Map<String, List<String>> form) {
        String pathAndQuery = path + (query == null ? "" : "?" + query);
        return webhooks.post(pathAndQuery, form, TwilioSignatures.sign(AUTH_TOKEN, PUBLIC_BASE + pathAndQuery, form));
    }

    HttpResponse<String> twilioPosts(String path, Map<String, List<String>> form) {
        return twilioPosts(path, null, form);
    }

    @Override
    public void close() {
        webhooks.close();
        channel.close();
        api.close();
    }

    /** A form from name, value pairs, in order. */
    static Map<String, List<String>> form(String... namesAndValues) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            form.computeIfAbsent(namesAndValues[i], k -> new ArrayList<>()).add(namesAndValues[i + 1]);
        }
        return form;
    }

    /** The parameters Twilio sends to the voice webhook for an inbound call. */
    static Map<String, List<String>> inboundCall(String callSid, String from) {
        return form("AccountSid", ACCOUNT_SID, "ApiVersion", "2010-04-01", "CallSid", callSid, "CallStatus", "ringing",
                "Called", OUR_NUMBER, "Caller", from, "Direction", "inbound", "From", from, "FromCountry", "DE",
                "To", OUR_NUMBER, "ToCountry", "DE");
    }

    /** Parses TwiML; fails the test when it is not well-formed or its root is not {@code <Response>}. */
    static Element twiml(String xml) {
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            Element root = doc.getDocumentElement();
            if (!root.getTagName().equals("Response")) {
                throw new AssertionError("TwiML root is <" + root.getTagName() + ">, expected <Response>: " + xml);
            }
            return root;
        } catch (Exception e) {
            throw new AssertionError("not well-formed TwiML: " + xml, e);
        }
    }

    /** The verbs of a TwiML response, in order. */
    static List<Element> verbs(Element response) {
        List<Element> verbs = new ArrayList<>();
        for (Node n = response.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                verbs.add(e);
            }
        }
        return verbs;
    }

    static List<String> verbNames(Element response) {
        return verbs(response).stream().map(Element::getTagName).toList();
    }
}
