package org.contactrouter.channels.twilio;

import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.security.RequestValidator;
import com.twilio.type.PhoneNumber;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactOpened;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.ContactPublisher.PublishException;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerLeft;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.EventData;
import org.contactrouter.events.EventIds;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;

/**
 * The Twilio channel: phone calls, SMS and WhatsApp. Twilio's signed webhooks become contact events; the router's
 * outbound messages become TwiML (what a caller hears while the webhook waits), SMS and WhatsApp messages, and bridged
 * calls. It only translates: who gets a contact is the router's business.
 *
 * <p>Webhooks: every method checks {@code X-Twilio-Signature} against {@link TwilioSettings#publicBaseUrl()} + path
 * (+ query) and answers 403 with the reason when it does not match. A contact event is published (and the publisher
 * has confirmed it durable) before 200 is answered; when publishing fails the answer is 503, so Twilio keeps the
 * contact. Event ids come from Twilio's ids ({@link EventIds}), so a redelivered webhook is a duplicate to the router.
 *
 * <p>Outbound: {@link #send} is called at least once per message by one sender thread; it throws
 * {@link TwilioSendException} when Twilio did not take the message. {@link #observe} is called on every instance for
 * every outbound message and completes a voice webhook waiting for its call's first answer.
 *
 * <p>Thread-safe: webhooks run on the server's request threads, {@code send} and {@code observe} on others.
 */
public final class TwilioChannel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TwilioChannel.class.getName());

    static final Duration DEFAULT_REST_TIMEOUT = Duration.ofSeconds(10);
    /** Twilio refuses a message body longer than this (error 21617); longer texts go out in several messages. */
    static final int MAX_MESSAGE_LENGTH = 1600;
    /** The call statuses that end a call: the customer left. */
    static final Set<String> CALL_ENDED = Set.of("completed", "busy", "no-answer", "failed", "canceled");
    /**
     * What carriers and Twilio put in {@code From} when the caller withholds their number: literal words, and numbers
     * that spell them on a keypad (ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE). Taken as a phone number,
     * every withheld caller would become one customer.
     */
    static final Set<String> WITHHELD = Set.of("anonymous", "restricted", "private", "unknown", "unavailable",
            "blocked", "+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253");
    /**
     * Twilio's ids (CallSid, MessageSid, RecordingSid) are two letters and 32 hex digits. Letters and digits up to 64
     * are accepted; anything else is refused before it becomes an event id, a conversation or a customer identity.
     */
    private static final Pattern TWILIO_ID = Pattern.compile("[A-Za-z0-9]{2,64}");
    /** Twilio puts at most 10 media on a message, as {@code MediaUrl0} to {@code MediaUrl9}. */
    static final int MAX_MEDIA = 10;

    private static final String VOICE_SOURCE = "/twilio/voice";
    private static final String SMS_SOURCE = "/twilio/sms";
    private static final String WHATSAPP_SOURCE = "/twilio/whatsapp";
    static final String RECORDING_PATH = "/twilio/voice/recording";
    static final String MESSAGE_STATUS_PATH = "/twilio/sms/status";

    private final TwilioSettings settings;
    private final ContactPublisher publisher;
    private final DeliveryReport.Recorder recorder;
    private final Clock clock;
    private final RequestValidator validator;
    private final TwilioApiHttpClient http;
    private final TwilioRestClient rest;
    private final FirstAnswers firstAnswers = new FirstAnswers(10_000);
    private final RecentIds sent = new RecentIds(10_000);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param settings  accounts, URLs and numbers
     * @param publisher where contact events go; {@code publish} must return only once the event is durable
     * @param recorder  where delivery reports of sent messages go
     * @param clock     the time stamped on events and reports
     */
    public TwilioChannel(TwilioSettings settings, ContactPublisher publisher, DeliveryReport.Recorder recorder,
                         Clock clock) {
        this(settings, publisher, recorder, clock, DEFAULT_REST_TIMEOUT);
    }

    /** As above, with the longest wait for a REST answer from Twilio (tests make it short). */
    TwilioChannel(TwilioSettings settings, ContactPublisher publisher, DeliveryReport.Recorder recorder, Clock clock,
                  Duration restTimeout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.validator = new RequestValidator(settings.authToken());
        this.http = new TwilioApiHttpClient(settings.apiBaseUrl(), restTimeout);
        this.rest = new TwilioRestClient.Builder(settings.accountSid(), settings.authToken())
                .accountSid(settings.accountSid())
                .httpClient(http)
                .build();
    }

    // ---------------------------------------------------------------------------------------------- voice webhooks

    /**
     * {@code POST /twilio/voice}: an inbound call. Publishes {@link ContactOpened} (id from the CallSid), then waits
     * up to {@link TwilioSettings#answerWait()} for the router's first answer on the call and answers TwiML: the
     * acknowledgement with the expected wait and the queue, or the after-hours notice (and a voicemail), or, when
     * the router has not answered in time, a greeting and the queue. A redelivery of the same call publishes the same
     * event id and gets the router's answer again.
     */
    public WebhookAnswer voice(WebhookRequest request) {
        WebhookAnswer refused = checkSignature(request);
        if (refused != null) {
            return refused;
        }
        String callSid = request.param("CallSid");
        WebhookAnswer badId = checkId(request, "CallSid", callSid, "a Twilio voice webhook");
        if (badId != null) {
            return badId;
        }
        String from = request.param("From");
        String to = request.param("To");
        String domain = settings.domainFor(to);
        // Registered before publishing: the router may answer before publish() returns.
        CompletableFuture<OutboundMessage> answer = firstAnswers.of(callSid);
        Map<String, String> attributes = new LinkedHashMap<>();
        ContactOpened call = new ContactOpened(Channel.VOICE, callSid,
                caller(from, request.param("CallerName"), callSid, attributes), to, null, null, null, attributes);
        try {
            publish(EventIds.twilioCall(callSid), VOICE_SOURCE, domain, call);
        } catch (PublishException e) {
            return notStored(request, "call " + callSid, e);
        }
        OutboundMessage first = await(answer);
        return WebhookAnswer.twiml(script(first, domain, from, to));
    }

    /**
     * {@code POST /twilio/voice/status}: the call's status callback. A status that ends the call (completed, busy,
     * no-answer, failed, canceled) publishes {@link CustomerLeft} with an id of CallSid and status; others are
     * answered 200 without an event.
     */
    public WebhookAnswer voiceStatus(WebhookRequest request) {
        WebhookAnswer refused = checkSignature(request);
        if (refused != null) {
            return refused;
        }
        String callSid = request.param("CallSid");
        String status = request.param("CallStatus");
        WebhookAnswer badId = checkId(request, "CallSid", callSid, "a Twilio call status callback");
        if (badId != null) {
            return badId;
        }
        if (status == null) {
            return missing(request, "CallStatus", "a Twilio call status callback");
        }
        status = status.toLowerCase(Locale.ROOT);
        if (!CALL_ENDED.contains(status)) {
            return WebhookAnswer.text(200, "");
        }
        try {
            publish(EventIds.twilioCallStatus(callSid, status), VOICE_SOURCE, settings.domainFor(request.param("To")),
                    new CustomerLeft(Channel.VOICE, callSid, status));
        } catch (PublishException e) {
            return notStored(request, "status '" + status + "' of call " + callSid, e);
        }
        return WebhookAnswer.text(200, "");
    }

    /**
     * {@code POST /twilio/voice/recording}: a voicemail left after hours, as the recording's action request or its
     * status callback (both carry the RecordingSid, which gives the event id, so the router sees one message).
     * Publishes a {@link CustomerMessage} on the call's conversation with the recording's URL in the text, and
     * answers TwiML that thanks the caller and hangs up. A failed or absent recording publishes nothing.
     */
    public WebhookAnswer voiceRecording(WebhookRequest request) {
        WebhookAnswer refused = checkSignature(request);
        if (refused != null) {
            return refused;
        }
        String callSid = request.param("CallSid");
        WebhookAnswer badId = checkId(request, "CallSid", callSid, "a Twilio recording callback");
        if (badId != null) {
            return badId;
        }
        String recordingSid = request.param("RecordingSid");
        String recordingUrl = request.param("RecordingUrl");
        String recordingStatus = request.param("RecordingStatus");
        if (recordingSid == null || recordingUrl == null
                || (recordingStatus != null && !recordingStatus.equalsIgnoreCase("completed"))) {
            return WebhookAnswer.twiml(CallScripts.goodbye());
        }
        badId = checkId(request, "RecordingSid", recordingSid, "a Twilio recording callback");
        if (badId != null) {
            return badId;
        }
        // The status callback carries no From and To; the callback URL we gave Twilio does.
        String from = firstNonNull(request.param("From"), request.queryParam("caller"));
        String to = firstNonNull(request.param("To"), request.queryParam("called"));
        String seconds = request.param("RecordingDuration");
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("recordingUrl", recordingUrl);
        attributes.put("recordingSid", recordingSid);
        if (seconds != null) {
            attributes.put("recordingDuration", seconds);
        }
        String text = "Voicemail" + (seconds != null ? " (" + seconds + " s)" : "") + ": " + recordingUrl;
        CustomerMessage voicemail = new CustomerMessage(Channel.VOICE, callSid,
                caller(from, null, callSid, attributes), to, null, null, text, attributes);
        try {
            publish(EventIds.twilioMessage(recordingSid), VOICE_SOURCE, settings.domainFor(to), voicemail);
        } catch (PublishException e) {
            return notStored(request, "voicemail " + recordingSid + " of call " + callSid, e);
        }
        return WebhookAnswer.twiml(CallScripts.goodbye());
    }

    // ------------------------------------------------------------------------------------------- message webhooks

    /**
     * {@code POST /twilio/sms}: an inbound SMS or WhatsApp message ({@code From} starting with {@code whatsapp:}),
     * also through a Messaging Service. Publishes a {@link CustomerMessage} (id from the MessageSid) whose
     * conversation is {@code <customer E.164>/<our number>}, so later messages between the two thread into the same
     * contact; media and shared locations are listed in the text and the attributes. Answers an empty TwiML
     * {@code <Response/>}: the router's acknowledgement is sent by {@link #send}.
     */
    public WebhookAnswer sms(WebhookRequest request) {
        WebhookAnswer refused = checkSignature(request);
        if (refused != null) {
            return refused;
        }
        String messageSid = firstNonNull(request.param("MessageSid"), request.param("SmsMessageSid"),
                request.param("SmsSid"));
        WebhookAnswer badId = checkId(request, "MessageSid", messageSid, "a Twilio messaging webhook");
        if (badId != null) {
            return badId;
        }
        String from = request.param("From");
        String to = request.param("To");
        if (from == null || to == null) {
            return missing(request, from == null ? "From" : "To", "a Twilio messaging webhook");
        }
        boolean whatsapp = isWhatsApp(from);
        Identity customer;
        try {
            customer = Identity.phone(from);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "message {0} not accepted: From ''{1}'' is not a phone number",
                    messageSid, from);
            return WebhookAnswer.text(400, "message " + messageSid + " not accepted: From '" + from
                    + "' is not a phone number with country code, so no reply could reach the sender (" + e.getMessage() + ")");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        String text = messageText(request, attributes);
        CustomerMessage message = new CustomerMessage(whatsapp ? Channel.WHATSAPP : Channel.SMS,
                conversation(customer.value(), to), new Customer(request.param("ProfileName"), List.of(customer)),
                to, null, null, text, attributes);
        try {
            publish(EventIds.twilioMessage(messageSid), whatsapp ? WHATSAPP_SOURCE : SMS_SOURCE,
                    settings.domainFor(to), message);
        } catch (PublishException e) {
            return notStored(request, "message " + messageSid, e);
        }
        return WebhookAnswer.twiml(CallScripts.emptyMessagingResponse());
    }

    /**
     * {@code POST /twilio/sms/status}: Twilio's status callback for a message {@link #send} sent. Records a
     * {@link DeliveryReport} with the MessageSid, status, error code and the outbound message's id (from the
     * {@code outbound} query parameter of the callback URL).
     */
    public WebhookAnswer messageStatus(WebhookRequest request) {
        WebhookAnswer refused = checkSignature(request);
        if (refused != null) {
            return refused;
        }
        String status = firstNonNull(request.param("MessageStatus"), request.param("SmsStatus"));
        if (status == null) {
            return missing(request, "MessageStatus", "a Twilio message status callback");
        }
        String from = request.param("From");
        String to = request.param("To");
        Channel channel = isWhatsApp(from) || isWhatsApp(to) ? Channel.WHATSAPP : Channel.SMS;
        String conversation = null;
        if (from != null && to != null) {
            try {
                conversation = conversation(Identity.phone(to).value(), from);
            } catch (IllegalArgumentException e) {
                conversation = null;
            }
        }
        String detail = request.param("ErrorCode");
        String errorMessage = request.param("ErrorMessage");
        if (errorMessage != null) {
            detail = detail == null ? errorMessage : detail + " " + errorMessage;
        }
        recorder.record(new DeliveryReport(channel, conversation, request.queryParam("outbound"),
                firstNonNull(request.param("MessageSid"), request.param("SmsSid")), status.toLowerCase(Locale.ROOT),
                detail, clock.instant()));
        return WebhookAnswer.text(200, "");
    }

    // ---------------------------------------------------------------------------------------------------- outbound

    /**
     * Says an outbound message on its channel. Called at least once per message; a message already sent by this
     * instance (same id, remembered for the last 10,000) is not sent again.
     *
     * <ul>
     *   <li>SMS and WhatsApp: ACKNOWLEDGEMENT, AFTER_HOURS, AGENT_JOINED, HANDOVER and REPLY (signed with the agent's
     *       name) are sent as a message from our number to the customer, with a status callback to
     *       {@code /twilio/sms/status?outbound=<id>}; a text over 1,600 characters goes out in several messages.
     *       CLOSED is not sent: the customer's thread stays open to them, and a "closed" text would only invite a
     *       reply. A blank text is not sent.</li>
     *   <li>Voice: AGENT_JOINED and HANDOVER bridge the call to the agent's browser client (identity = agent id);
     *       when the caller has already hung up, nothing is done. Other kinds have nothing to say on a call.</li>
     * </ul>
     *
     * @throws IllegalArgumentException when the channel is not Twilio's, or the message lacks what it needs
     * @throws TwilioSendException      when Twilio did not take it; {@link TwilioSendException#retryable()} says
     *                                  whether to send it again later
     */
    public void send(OutboundMessage message) {
        Objects.requireNonNull(message, "message");
        if (closed.get()) {
            throw new IllegalStateException("the Twilio channel is closed; outbound message " + message.id() + " not sent");
        }
        switch (message.channel()) {
            case SMS, WHATSAPP -> sendText(message);
            case VOICE -> bridge(message);
            default -> throw new IllegalArgumentException("outbound message " + message.id() + ": channel "
                    + message.channel().wireName() + " is not a Twilio channel (expected voice, sms or whatsapp)");
        }
    }

    /**
     * Sees every outbound message of every domain (on every instance), fast and without blocking: the first answer
     * to a call (ACKNOWLEDGEMENT or AFTER_HOURS) completes its voice webhook if one is waiting here.
     */
    public void observe(OutboundMessage message) {
        if (message.channel() == Channel.VOICE
                && (message.kind() == OutboundKind.ACKNOWLEDGEMENT || message.kind() == OutboundKind.AFTER_HOURS)) {
            firstAnswers.answer(message);
        }
    }

    /** Closes the REST client's connections; {@code send} fails afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            http.close();
        }
    }

    private void sendText(OutboundMessage m) {
        String body = switch (m.kind()) {
            case ACKNOWLEDGEMENT, AFTER_HOURS, AGENT_JOINED, HANDOVER -> m.text();
            case REPLY -> m.text() == null || m.text().isBlank() || m.agentName() == null || m.agentName().isBlank()
                    ? m.text()
                    : m.text() + "\n— " + m.agentName();
            case CLOSED -> null;
        };
        if (body == null || body.isBlank()) {
            return;
        }
        int slash = m.conversation().indexOf('/');
        if (slash <= 0 || slash == m.conversation().length() - 1) {
            throw new IllegalArgumentException("outbound message " + m.id() + ": conversation '" + m.conversation()
                    + "' is not an SMS/WhatsApp conversation of this adapter (expected <customer number>/<our number>)");
        }
        String prefix = m.channel() == Channel.WHATSAPP ? TwilioSettings.WHATSAPP : "";
        PhoneNumber customer = new PhoneNumber(prefix + m.conversation().substring(0, slash));
        PhoneNumber ours = new PhoneNumber(prefix + m.conversation().substring(slash + 1));
        URI statusCallback = URI.create(settings.publicBaseUrl() + MESSAGE_STATUS_PATH + "?outbound=" + encode(m.id()));
        List<String> parts = parts(body, MAX_MESSAGE_LENGTH);
        for (int i = 0; i < parts.size(); i++) {
            String key = parts.size() == 1 ? m.id() : m.id() + "#" + (i + 1);
            if (sent.contains(key)) {
                continue;
            }
            try {
                Message.creator(customer, ours, parts.get(i)).setStatusCallback(statusCallback).create(rest);
            } catch (TwilioException e) {
                throw failed("sending " + m.kind() + " " + m.id() + " to " + customer + " from " + ours, e, null);
            }
            sent.add(key);
        }
    }

    private void bridge(OutboundMessage m) {
        if (m.kind() != OutboundKind.AGENT_JOINED && m.kind() != OutboundKind.HANDOVER) {
            return;
        }
        if (m.agentId() == null || m.agentId().isBlank()) {
            throw new IllegalArgumentException("outbound message " + m.id() + ": " + m.kind()
                    + " on call " + m.conversation() + " names no agent (agentId missing), so there is no one to connect");
        }
        if (sent.contains(m.id())) {
            return;
        }
        String name = m.agentName() == null || m.agentName().isBlank() ? "an agent" : m.agentName();
        try {
            Call.updater(m.conversation()).setTwiml(CallScripts.connectToAgent(name, m.agentId(), m.agentPhone())).update(rest);
        } catch (TwilioException e) {
            String what = "connecting call " + m.conversation() + " to agent " + m.agentId() + " (" + m.id() + ")";
            if (e instanceof ApiException api && clientError(api)) {
                String status = callStatus(m.conversation());
                if (status != null && CALL_ENDED.contains(status)) {
                    LOG.log(System.Logger.Level.INFO, "call {0} ended ({1}) before it could be connected to {2}; {3} not sent",
                            m.conversation(), status, m.agentId(), m.id());
                    sent.add(m.id());
                    return;
                }
                if (status != null) {
                    // Twilio refuses to redirect a call still ringing: it can be connected once it is answered.
                    throw failed(what + " (call is " + status + ")", e, true);
                }
            }
            throw failed(what, e, null);
        }
        sent.add(m.id());
    }

    /** The call's status as Twilio has it now, or null when it cannot be fetched. */
    private String callStatus(String callSid) {
        try {
            Call call = Call.fetcher(callSid).fetch(rest);
            return call.getStatus() == null ? null : call.getStatus().toString();
        } catch (TwilioException e) {
            return null;
        }
    }

    private static boolean clientError(ApiException e) {
        Integer status = e.getStatusCode();
        return status != null && status >= 400 && status < 500 && status != 429;
    }

    /** The failure as the sender sees it; {@code retryable} null to judge it by Twilio's answer. */
    private static TwilioSendException failed(String what, TwilioException e, Boolean retryableOverride) {
        Integer code = null;
        String detail = e.getMessage();
        boolean retryable = true;
        if (e instanceof ApiException api) {
            code = api.getCode();
            retryable = !clientError(api);
            detail = (api.getStatusCode() != null ? "HTTP " + api.getStatusCode() + ", " : "")
                    + (code != null ? "Twilio error " + code + " (https://www.twilio.com/docs/api/errors/" + code + "), " : "")
                    + e.getMessage();
        }
        if (retryableOverride != null) {
            retryable = retryableOverride;
        }
        return new TwilioSendException(what + " failed: " + detail
                + (retryable ? "; it may succeed later" : "; sending it again will not help"), retryable, code, e);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    /** Null when Twilio signed this request for our public URL; else the 403 answer, saying why. */
    private WebhookAnswer checkSignature(WebhookRequest request) {
        String url = settings.publicBaseUrl() + request.path()
                + (request.query() == null || request.query().isEmpty() ? "" : "?" + request.query());
        if (request.signature() == null || request.signature().isBlank()) {
            LOG.log(System.Logger.Level.WARNING, "refused {0}: no X-Twilio-Signature", request.path());
            return WebhookAnswer.text(403, "refused: no X-Twilio-Signature header; only Twilio may call " + request.path());
        }
        // Twilio signs each parameter as name + value; a repeated parameter as name + value for each value, sorted.
        Map<String, String> params = new HashMap<>();
        request.form().forEach((name, values) -> {
            List<String> sorted = new ArrayList<>();
            for (String v : values) {
                sorted.add(v == null ? "" : v);
            }
            sorted.sort(null);
            params.put(name, String.join(name, sorted));
        });
        if (!validator.validate(url, params, request.signature())) {
            LOG.log(System.Logger.Level.WARNING, "refused {0}: X-Twilio-Signature does not match {1}", request.path(), url);
            return WebhookAnswer.text(403, "refused: X-Twilio-Signature does not match this request signed for " + url
                    + " with the configured auth token. Check that the URL in the Twilio console is exactly this one"
                    + " (publicBaseUrl, behind a proxy the public one) and that TWILIO_AUTH_TOKEN is the account's current auth token.");
        }
        return null;
    }

    private void publish(String id, String source, String domain, EventData data) throws PublishException {
        ContactEvent event = ContactEvent.of(id, source, clock.instant(), data);
        publisher.publish(new ContactEvent(event.id(), event.source(), event.time(), event.subject(), domain, data));
    }

    private OutboundMessage await(CompletableFuture<OutboundMessage> answer) {
        try {
            return answer.get(settings.answerWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** What the caller hears first. */
    private String script(OutboundMessage first, String domain, String from, String to) {
        if (first != null && first.kind() == OutboundKind.AFTER_HOURS) {
            String words = first.text() != null && !first.text().isBlank()
                    ? first.text()
                    : CallScripts.GREETING + " We are closed right now; we will call you back.";
            String recording = null;
            if (settings.voicemail()) {
                StringBuilder url = new StringBuilder(settings.publicBaseUrl() + RECORDING_PATH);
                char sep = '?';
                if (from != null) {
                    url.append(sep).append("caller=").append(encode(from));
                    sep = '&';
                }
                if (to != null) {
                    url.append(sep).append("called=").append(encode(to));
                }
                recording = url.toString();
            }
            return CallScripts.afterHours(words, recording, recording);
        }
        String words;
        if (first == null) {
            words = CallScripts.GREETING + " " + CallScripts.PLEASE_HOLD;
        } else if (first.text() != null && !first.text().isBlank()) {
            words = first.text();
        } else if (first.estimatedWait() != null) {
            words = CallScripts.GREETING + " An agent will answer in " + CallScripts.inWords(first.estimatedWait()) + ".";
        } else {
            words = CallScripts.GREETING + " " + CallScripts.PLEASE_HOLD;
        }
        return CallScripts.waitInQueue(words, domain, settings.holdMusicUrl());
    }

    /** The caller as a customer: their number, or, when it is withheld or not a number, an identity of this call only. */
    private static Customer caller(String from, String callerName, String callSid, Map<String, String> attributes) {
        if (from != null && !WITHHELD.contains(from.strip().toLowerCase(Locale.ROOT))) {
            try {
                return new Customer(callerName, List.of(Identity.phone(from)));
            } catch (IllegalArgumentException notAPhoneNumber) {
                attributes.put("from", from);
            }
        }
        attributes.put("callerId", "withheld");
        return new Customer(callerName != null ? callerName : "Withheld number",
                List.of(Identity.chatVisitor("withheld-caller:" + callSid)));
    }

    /** Body, media and a shared location as one text; media URLs and types also as attributes. */
    private static String messageText(WebhookRequest request, Map<String, String> attributes) {
        StringBuilder text = new StringBuilder();
        String body = request.param("Body");
        if (body != null) {
            text.append(body);
        }
        // The media are the MediaUrl<i> parameters present, and Twilio sends at most MAX_MEDIA of them. NumMedia is
        // not the bound: it is a number in the request (2147483647 would loop 2^31 times), and a message is never
        // refused for it either, since Twilio does not deliver a 400 again and the customer's words would be lost.
        for (int i = 0; i < MAX_MEDIA; i++) {
            String url = request.param("MediaUrl" + i);
            if (url == null) {
                continue;
            }
            String type = request.param("MediaContentType" + i);
            attributes.put("mediaUrl" + i, url);
            if (type != null) {
                attributes.put("mediaContentType" + i, type);
            }
            appendLine(text, "Attachment: " + url + (type != null ? " (" + type + ")" : ""));
        }
        String latitude = request.param("Latitude");
        String longitude = request.param("Longitude");
        if (latitude != null && longitude != null) {
            attributes.put("latitude", latitude);
            attributes.put("longitude", longitude);
            String label = firstNonNull(request.param("Label"), request.param("Address"));
            appendLine(text, "Location: " + latitude + "," + longitude + (label != null ? " (" + label + ")" : ""));
        }
        return text.isEmpty() ? null : text.toString();
    }

    private static void appendLine(StringBuilder text, String line) {
        if (!text.isEmpty()) {
            text.append('\n');
        }
        text.append(line);
    }

    /** {@code <customer E.164>/<our number>}: the thread of one customer with one of our numbers. */
    static String conversation(String customerE164, String ourNumber) {
        String ours;
        try {
            ours = TwilioSettings.numberKey(ourNumber);
        } catch (IllegalArgumentException e) {
            ours = ourNumber.strip();
        }
        if (ours.startsWith(TwilioSettings.WHATSAPP)) {
            ours = ours.substring(TwilioSettings.WHATSAPP.length());
        }
        return customerE164 + "/" + ours;
    }

    /** A text cut into messages of at most {@code max} characters, at a space where there is one in the second half. */
    static List<String> parts(String text, int max) {
        List<String> parts = new ArrayList<>();
        String rest = text;
        while (rest.length() > max) {
            int cut = max;
            int space = rest.lastIndexOf(' ', max - 1);
            if (space >= max / 2) {
                cut = space + 1;
            } else if (Character.isHighSurrogate(rest.charAt(cut - 1))) {
                cut--;
            }
            parts.add(rest.substring(0, cut));
            rest = rest.substring(cut);
        }
        parts.add(rest);
        return parts;
    }

    private static boolean isWhatsApp(String address) {
        return address != null && address.regionMatches(true, 0, TwilioSettings.WHATSAPP, 0, TwilioSettings.WHATSAPP.length());
    }

    private static WebhookAnswer missing(WebhookRequest request, String param, String what) {
        return WebhookAnswer.text(400, "refused: no " + param + " parameter; " + request.path() + " expects " + what);
    }

    /** Null when {@code value} of parameter {@code param} is a Twilio id; else the 400 answer saying what is wrong. */
    private static WebhookAnswer checkId(WebhookRequest request, String param, String value, String what) {
        if (value == null) {
            return missing(request, param, what);
        }
        if (TWILIO_ID.matcher(value).matches()) {
            return null;
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "… (" + value.length() + " characters)" : value;
        return WebhookAnswer.text(400, "refused: " + param + " '" + shown + "' is not a Twilio id (expected two letters"
                + " and 32 hex digits, such as CA0123456789abcdef0123456789abcdef); " + request.path() + " expects " + what);
    }

    private static WebhookAnswer notStored(WebhookRequest request, String what, PublishException e) {
        LOG.log(System.Logger.Level.WARNING, "{0} not stored, answered 503 to {1}: {2}", what, request.path(), e.getMessage());
        return WebhookAnswer.text(503, what + " could not be stored (" + e.getMessage() + "); Twilio should deliver it again");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
