package org.contactrouter.server.channels;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.contactrouter.channels.email.MailSender;
import org.contactrouter.channels.email.Mailbox;
import org.contactrouter.channels.twilio.TwilioChannel;
import org.contactrouter.channels.twilio.TwilioSendException;
import org.contactrouter.channels.twilio.WebhookAnswer;
import org.contactrouter.channels.twilio.WebhookRequest;
import org.contactrouter.channels.webchat.WebChat;
import org.contactrouter.config.ChannelConfig;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.server.RouterMeters;
import org.contactrouter.server.http.HttpRequest;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.http.Policy;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;

/**
 * The enabled channel adapters, wired into the server: their webhook routes and WebSocket handler on the one HTTP
 * port, the mailbox reader thread, one sender loop per adapter and one observer loop for the instance. The adapters
 * know nothing of Kafka or of this server; this class is the only place that knows both.
 */
public final class ChannelRuntime implements AutoCloseable {

    private final List<Route> routes = new ArrayList<>();
    private final List<Supplier<ChannelHandler>> handlers = new ArrayList<>();
    private final List<AutoCloseable> closeInOrder = new ArrayList<>();
    private final Map<String, OutboundSenderLoop> senderLoops = new LinkedHashMap<>();
    private Mailbox mailbox;
    private WebChat chat;
    private TwilioChannel twilio;
    private ChannelConfig config;

    private ChannelRuntime() {
    }

    /** Starts the adapters {@code config} enables; on failure what was started is stopped and the failure thrown. */
    public static ChannelRuntime start(ChannelConfig config, ContactPublisher publisher, DeliveryReport.Recorder reports,
                                       KafkaClients kafka, String instanceId, Clock clock, MeterRegistry metrics) {
        ChannelRuntime runtime = new ChannelRuntime();
        try {
            runtime.startAll(config, publisher, reports, kafka, instanceId, clock, metrics);
            return runtime;
        } catch (RuntimeException | Error e) {
            runtime.close();
            throw e;
        }
    }

    private void startAll(ChannelConfig config, ContactPublisher publisher, DeliveryReport.Recorder reports,
                          KafkaClients kafka, String instanceId, Clock clock, MeterRegistry metrics) {
        this.config = config;
        List<ChannelSender> senders = new ArrayList<>();
        List<Consumer<OutboundMessage>> observers = new ArrayList<>();
        if (config.twilio() != null) {
            twilio = new TwilioChannel(config.twilio(), publisher, reports, clock);
            closeInOrder.add(0, twilio);
            routes.add(Route.post("/twilio/voice", Policy.PUBLIC_DOOR, Route.Body.FORM,
                    r -> answer(twilio.voice(webhook(r)))));
            routes.add(Route.post("/twilio/voice/status", Policy.PUBLIC_DOOR, Route.Body.FORM,
                    r -> answer(twilio.voiceStatus(webhook(r)))));
            routes.add(Route.post("/twilio/voice/recording", Policy.PUBLIC_DOOR, Route.Body.FORM,
                    r -> answer(twilio.voiceRecording(webhook(r)))));
            routes.add(Route.post("/twilio/sms", Policy.PUBLIC_DOOR, Route.Body.FORM,
                    r -> answer(twilio.sms(webhook(r)))));
            routes.add(Route.post("/twilio/sms/status", Policy.PUBLIC_DOOR, Route.Body.FORM,
                    r -> answer(twilio.messageStatus(webhook(r)))));
            senders.add(new ChannelSender("twilio", EnumSet.of(Channel.SMS, Channel.WHATSAPP, Channel.VOICE),
                    twilio::send, e -> e instanceof TwilioSendException t ? t.retryable()
                    : !(e instanceof IllegalArgumentException)));
            observers.add(twilio::observe);
        }
        if (config.email() != null) {
            mailbox = new Mailbox(config.email(), publisher, clock);
            Thread reader = new Thread(mailbox, "mailbox-reader");
            reader.start();
            closeInOrder.add(0, () -> {
                mailbox.close();
                reader.join(TimeUnit.SECONDS.toMillis(10));
            });
            MailSender mail = new MailSender(config.email(), reports, clock);
            senders.add(new ChannelSender("email", EnumSet.of(Channel.EMAIL), mail::send,
                    e -> !(e instanceof IllegalArgumentException)));
            Gauge.builder(RouterMeters.MAILBOX_CONNECTED.meterName(), mailbox, m -> m.state().ready() ? 1 : 0)
                    .description(RouterMeters.MAILBOX_CONNECTED.doc()).register(metrics);
        }
        if (config.chat() != null) {
            chat = new WebChat(config.chat(), publisher, clock);
            closeInOrder.add(0, chat);
            handlers.add(chat::newHandler);
            observers.add(chat::observe);
            Gauge.builder(RouterMeters.CHAT_SESSIONS.meterName(), chat, WebChat::openSessions)
                    .description(RouterMeters.CHAT_SESSIONS.doc()).register(metrics);
        }
        for (ChannelSender s : senders) {
            OutboundSenderLoop loop = new OutboundSenderLoop(kafka, instanceId, s, reports, clock, metrics);
            senderLoops.put(s.name(), loop);
            Thread t = new Thread(loop, "sender-" + s.name());
            t.start();
            closeInOrder.add(0, () -> {
                loop.close();
                t.join(TimeUnit.SECONDS.toMillis(10));
            });
        }
        if (!observers.isEmpty()) {
            // A day back: a chat transcript survives a restart of this instance for that long.
            ObserverLoop<OutboundMessage> loop = new ObserverLoop<>(kafka, instanceId,
                    KafkaTopics.MESSAGES_OUT, r -> OutboundMessageJson.read(r.value()), observers, clock, Duration.ofDays(1));
            Thread t = new Thread(loop, "outbound-observer");
            t.start();
            closeInOrder.add(0, () -> {
                loop.close();
                t.join(TimeUnit.SECONDS.toMillis(10));
            });
        }
    }

    /** A Twilio webhook's request; a body that is not valid form encoding ({@code %zz}) is a 400, not a 500. */
    private static WebhookRequest webhook(HttpRequest r) {
        return new WebhookRequest(r.path(), r.rawQuery(), r.form(), r.header("X-Twilio-Signature"));
    }

    private static HttpResponse answer(WebhookAnswer a) {
        return HttpResponse.text(HttpResponseStatus.valueOf(a.status()), a.contentType(), a.body());
    }

    /** The adapters' HTTP routes (Twilio's webhooks). */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** Handlers in front of the routes (the chat widget and its WebSocket). */
    public List<Supplier<ChannelHandler>> handlers() {
        return List.copyOf(handlers);
    }

    /** Where each enabled channel is reached, for the start-up banner. */
    public String describe(String localBase) {
        List<String> parts = new ArrayList<>();
        if (config.chat() != null) {
            parts.add("web chat " + localBase + "/chat (widget: " + localBase + "/chat/widget.js)");
        }
        if (config.twilio() != null) {
            parts.add("Twilio webhooks " + config.twilio().publicBaseUrl() + "/twilio/voice and /twilio/sms");
        }
        if (config.email() != null) {
            parts.add("mailbox " + config.email().address() + " (IMAP " + config.email().imapHost() + ")");
        }
        return parts.isEmpty() ? "none enabled (router.yaml: channels)" : String.join("\n                  ", parts);
    }

    /** The senders that are not sending now, by name, with why (starting again after an error). */
    public Map<String, String> stoppedSenders() {
        Map<String, String> out = new LinkedHashMap<>();
        senderLoops.forEach((name, loop) -> {
            if (loop.stopReason() != null) {
                out.put(name, loop.stopReason());
            }
        });
        return out;
    }

    /** Each enabled channel's state, for /health/ready. */
    public Map<String, Object> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (twilio != null) {
            out.put("twilio", "webhooks served");
        }
        if (mailbox != null) {
            out.put("email", mailbox.state());
        }
        if (chat != null) {
            out.put("chat", Map.of("openSessions", chat.openSessions()));
        }
        return out;
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeInOrder) {
            try {
                c.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(ChannelRuntime.class).warn("while stopping {}", c, e);
            }
        }
        closeInOrder.clear();
    }
}
