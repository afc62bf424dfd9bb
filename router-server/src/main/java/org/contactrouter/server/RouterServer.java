package org.contactrouter.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.contactrouter.access.Accounts;
import org.contactrouter.access.AgentTokens;
import org.contactrouter.access.Authenticator;
import org.contactrouter.access.Caller;
import org.contactrouter.access.Passwords;
import org.contactrouter.access.Scope;
import org.contactrouter.access.SignInGuard;
import org.contactrouter.server.http.ClientAddresses;
import org.contactrouter.server.http.HttpRequest;
import org.contactrouter.server.http.HttpServer.Gate;
import org.contactrouter.server.http.Policy;
import org.contactrouter.server.http.RateLimits;
import org.contactrouter.server.http.TlsFiles;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.contactrouter.config.ChannelConfig;
import org.contactrouter.config.ConfigLoader;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.config.ConfigWatcher;
import org.contactrouter.config.LoadResult;
import org.contactrouter.config.Problem;
import org.contactrouter.ledger.Ledger;
import org.contactrouter.ledger.LedgerWriter;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.agent.AgentGateway;
import org.contactrouter.server.channels.ChannelRuntime;
import org.contactrouter.server.channels.KafkaContactPublisher;
import org.contactrouter.server.channels.KafkaDeliveryRecorder;
import org.contactrouter.server.channels.ObserverLoop;
import org.contactrouter.server.http.ContactIntake;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.http.HttpServer;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.http.WebPages;
import org.contactrouter.server.kafka.EmbeddedKafka;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.runtime.CommittedDecision;
import org.contactrouter.server.runtime.ConfigPublisher;
import org.contactrouter.server.runtime.RoutingLoop;
import org.contactrouter.server.wire.DecisionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router instance, assembled: Kafka (embedded or external), the topics, the routing loop, the ledger and its
 * writer, config reload through the log, and the HTTP port. {@link #start} returns when everything is up.
 */
public final class RouterServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);
    /** How long the start waits for the Kafka cluster to answer. */
    private static final Duration KAFKA_START_TIMEOUT = Duration.ofSeconds(30);

    private final ServerSettings settings;
    private final List<AutoCloseable> closeInOrder = new ArrayList<>();
    private final Deque<String> reloads = new ConcurrentLinkedDeque<>();
    private EmbeddedKafka embedded;
    private KafkaClients kafka;
    private Admin admin;
    private RoutingLoop loop;
    private Ledger ledger;
    private HttpServer http;
    private ChannelRuntime channels;
    private FloorBoard floors;
    private List<Route> routes = List.of();
    private volatile String configVersion;
    private volatile Accounts accounts = Accounts.NONE;
    private volatile AgentGateway gateway;
    private final Clock clock;
    private final Function<String, String> env;

    private RouterServer(ServerSettings settings, Clock clock, Function<String, String> env) {
        this.settings = settings;
        this.clock = clock;
        this.env = env;
    }

    /** Starts an instance; on any failure what was started is stopped again and the failure thrown. */
    public static RouterServer start(ServerSettings settings, Clock clock) throws Exception {
        return start(settings, clock, System::getenv);
    }

    /** Starts an instance whose channel secrets come from {@code env} (the process environment in production). */
    public static RouterServer start(ServerSettings settings, Clock clock, Function<String, String> env)
            throws Exception {
        RouterServer server = new RouterServer(settings, clock, env);
        try {
            server.startAll();
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        LoadResult loaded = ConfigLoader.load(settings.configDir());
        if (loaded.hasErrors()) {
            throw new IllegalArgumentException("config " + settings.configDir() + " has errors:\n  " + loaded.errors()
                    .stream().map(Problem::toString).collect(Collectors.joining("\n  ")));
        }
        loaded.warnings().forEach(w -> LOG.warn("config: {}", w));
        RoutingConfig config = loaded.config().orElseThrow();
        ChannelConfig channelConfig = ChannelConfig.load(settings.configDir().resolve("router.yaml"), env,
                settings.dataDir());
        if (channelConfig.hasErrors()) {
            throw new IllegalArgumentException("router.yaml channels have errors:\n  " + channelConfig.problems()
                    .stream().map(Problem::toString).collect(Collectors.joining("\n  ")));
        }
        ConfigSnapshot snapshot = ConfigLoader.snapshot(settings.configDir());
        configVersion = config.version();
        accounts = loaded.accounts();
        HttpSettings web = settings.http();
        if (web.servesBeyondLoopback()) {
            refuseDemoPasswords(accounts);
        }
        DataDir.prepare(settings.dataDir());

        if (settings.bootstrapServers() == null) {
            embedded = EmbeddedKafka.start(settings.dataDir(), settings.kafkaPort());
            closeInOrder.add(0, embedded);
            kafka = KafkaClients.plaintext(embedded.bootstrapServers());
        } else {
            kafka = KafkaClients.of(settings.bootstrapServers(), settings.kafkaClient());
        }
        admin = kafka.admin(Map.of());
        closeInOrder.add(0, admin);
        awaitKafka();
        KafkaTopics.ensureTopics(admin, settings.partitions(), settings.replicationFactor());

        KafkaProducer<String, byte[]> producer = kafka.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 9_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                // send() waits at most this for metadata or buffer space: a route never hangs on it for a minute
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000), new StringSerializer(), new ByteArraySerializer());
        closeInOrder.add(0, producer);
        ConfigPublisher configPublisher = new ConfigPublisher(producer, settings.partitions(), clock);
        configPublisher.publish(snapshot);

        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        closeInOrder.add(0, metrics::close);
        // The JVM's and the process's own meters beside the router's: memory, GC, threads, classes, CPU, uptime, files.
        JvmGcMetrics gc = new JvmGcMetrics();
        closeInOrder.add(0, gc);
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            binder.bindTo(metrics);
        }
        RoutingMetrics routingMetrics = new RoutingMetrics(metrics);
        FloorBoard floors = new FloorBoard(producer);
        loop = new RoutingLoop(kafka, settings.instanceId(), clock, snapshot, routingMetrics::committed,
                metrics, floors::publish);
        ObserverLoop<byte[]> floorFeed = new ObserverLoop<>(kafka, settings.instanceId(),
                KafkaTopics.OPS_FLOOR, ConsumerRecord::value, List.of(floors::read), clock, null);
        Thread floorThread = new Thread(floorFeed, "floor-feed");
        floorThread.start();
        closeInOrder.add(0, () -> {
            floorFeed.close();
            floorThread.join(TimeUnit.SECONDS.toMillis(10));
        });
        this.floors = floors;
        Thread routing = new Thread(loop, "routing-loop");
        routing.start();
        closeInOrder.add(0, () -> {
            loop.close();
            routing.join(TimeUnit.SECONDS.toMillis(15));
        });
        Gauge.builder(RouterMeters.PARTITIONS.meterName(), loop, l -> l.assignedPartitions().size())
                .description(RouterMeters.PARTITIONS.doc()).register(metrics);

        ledger = settings.ledgerUrl() == null ? Ledger.h2(settings.dataDir().resolve("ledger"), settings.ledgerTimeout())
                : Ledger.open(settings.ledgerUrl(), settings.ledgerUser(), settings.ledgerPassword(),
                settings.ledgerTimeout());
        closeInOrder.add(0, ledger);
        // An embedded ledger is this instance's alone and must see every partition; a shared database is written once.
        String ledgerGroup = settings.ledgerUrl() == null ? LedgerWriter.GROUP_ID + "-" + settings.instanceId()
                : LedgerWriter.GROUP_ID;
        LedgerWriter writer = new LedgerWriter(kafka, ledgerGroup, settings.instanceId(), ledger);
        Thread ledgerThread = new Thread(writer, "ledger-writer");
        ledgerThread.start();
        closeInOrder.add(0, () -> {
            writer.close();
            ledgerThread.join(TimeUnit.SECONDS.toMillis(15));
        });

        Runnable agentsChanged = () -> {
            if (gateway != null) {
                gateway.accountsChanged();
            }
        };
        ConfigWatcher watcher = ConfigWatcher.start(settings.configDir(), config, settings.configPollInterval(),
                new ConfigWatcher.Listener() {
                    @Override
                    public void onApplied(RoutingConfig applied, List<Problem> warnings) {
                        try {
                            ConfigSnapshot now = ConfigLoader.snapshot(settings.configDir());
                            if (now.version().equals(applied.version())) {
                                configPublisher.publish(now);
                                accounts = ConfigLoader.load(now).accounts();
                                agentsChanged.run();
                                configVersion = applied.version();
                                remember("applied " + applied.version() + (warnings.isEmpty() ? ""
                                        : " with " + warnings.size() + " warning(s)"));
                                LOG.info("config {} published; routing switches to it in event order", applied.version());
                            }
                        } catch (Exception e) {
                            LOG.error("config {} could not be published; the previous config stays", applied.version(), e);
                        }
                    }

                    @Override
                    public void onRejected(List<Problem> problems) {
                        remember("rejected: " + problems.stream().filter(Problem::isError).map(Problem::toString)
                                .collect(Collectors.joining("; ")));
                        problems.forEach(p -> LOG.error("config edit rejected, previous config stays: {}", p));
                    }
                });
        closeInOrder.add(0, watcher);

        Audit audit = new Audit(kafka, ledger, Duration.ofSeconds(30));
        AuditSchedule audits = new AuditSchedule(audit, clock, metrics);
        closeInOrder.add(0, audits);

        KafkaContactPublisher publisher = new KafkaContactPublisher(producer, KafkaTopics.CONTACTS_IN, 8_000);
        channels = ChannelRuntime.start(channelConfig, publisher, new KafkaDeliveryRecorder(producer),
                kafka, settings.instanceId(), clock, metrics);
        closeInOrder.add(0, channels);
        Set<String> domains = new HashSet<>(channelConfig.domains());
        domains.addAll(settings.domains());
        ContactIntake intake = new ContactIntake(publisher::publishLater, () -> domains, clock);
        RecentDecisions recent = new RecentDecisions(100);
        AgentTokens tokens = new AgentTokens(AgentTokens.secret(env, settings.dataDir()), Duration.ofHours(12), clock);
        Authenticator authenticator = new Authenticator(() -> accounts, tokens);
        AgentGateway agents = new AgentGateway(() -> accounts, authenticator, tokens,
                new SignInGuard(5, Duration.ofSeconds(2), Duration.ofMinutes(15), clock), web.servesBeyondLoopback(),
                this::agentState, this::team, this::endpointOf,
                new KafkaContactPublisher(producer, KafkaTopics.AGENT_ACTIONS, 8_000)::publishLater,
                (agent, at) -> signOut(producer, agent, at), clock, Duration.ofSeconds(3));
        gateway = agents;
        ObserverLoop<byte[]> signOutFeed = new ObserverLoop<>(kafka, settings.instanceId(),
                KafkaTopics.AGENT_SIGNOUTS, ConsumerRecord::value, List.of(value -> {
                    String[] parts = new String(value, StandardCharsets.UTF_8).split("\n", 2);
                    agents.signedOut(parts[0], Long.parseLong(parts[1]));
                }), clock, null);
        Thread signOutThread = new Thread(signOutFeed, "sign-out-feed");
        signOutThread.start();
        closeInOrder.add(0, () -> {
            signOutFeed.close();
            signOutThread.join(TimeUnit.SECONDS.toMillis(10));
        });
        ObserverLoop<CommittedDecision> decisionFeed = new ObserverLoop<>(kafka, settings.instanceId(),
                KafkaTopics.ROUTING_DECISIONS, CommittedDecision::of, List.of(agents::observe,
                c -> recent.accept(c.decision())), clock,
                Duration.ofMinutes(10));
        Thread feed = new Thread(decisionFeed, "decision-feed");
        feed.start();
        closeInOrder.add(0, () -> {
            decisionFeed.close();
            feed.join(TimeUnit.SECONDS.toMillis(10));
        });
        ApiRoutes api = new ApiRoutes(ledger, () -> floors.merged(clock.instant()), clock);
        Policy reports = Policy.supervisorOr(Scope.REPORTS_READ);
        byte[] openApi = RouterServer.class.getResourceAsStream("/openapi.yaml").readAllBytes();
        List<Route> routes = new ArrayList<>();
        routes.add(Route.get("/health/live", Policy.PUBLIC_DOOR, r -> HttpResponse.ok(Map.of("status", "live"))));
        routes.add(Route.getLater("/health/ready", Policy.PUBLIC_DOOR, this::ready));
        routes.add(Route.get("/metrics", Policy.supervisorOr(Scope.METRICS_READ), r -> HttpResponse.text(
                HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape())));
        routes.add(Route.get("/openapi.yaml", Policy.ANYONE,
                r -> new HttpResponse(HttpResponseStatus.OK, "application/yaml", openApi)));
        routes.add(Route.postLater("/api/contacts", Policy.supervisorOr(Scope.CONTACTS_CREATE), Route.Body.JSON,
                intake::post));
        routes.add(Route.get("/api/config", reports, r -> HttpResponse.ok(Map.of("version", configVersion,
                "recentReloads", List.copyOf(reloads)))));
        routes.addAll(api.routes());
        routes.addAll(channels.routes());
        routes.addAll(agents.routes());
        routes.add(Route.get("/api/ops/floor", reports, r -> HttpResponse.ok(floors.merged(clock.instant()))));
        routes.add(Route.get("/api/ops/decisions", reports, r -> HttpResponse.ok(decisionsJson(recent.newestFirst()))));
        routes.add(Route.get("/api/audit", reports, r -> HttpResponse.ok(audits.runNow())).on(Route.Work.LEDGER));
        routes.addAll(WebPages.routes());
        this.routes = List.copyOf(routes);
        List<HttpServer.InFront> inFront = new ArrayList<>();
        channels.handlers().forEach(h -> inFront.add(new HttpServer.InFront(Policy.Door.PUBLIC, h)));
        inFront.add(new HttpServer.InFront(Policy.Door.INTERNAL, agents.socket()::newHandler));
        List<HttpServer.Listener> listeners = new ArrayList<>();
        listeners.add(new HttpServer.Listener("internal", web.host(), web.port(),
                tls(web.tlsCertificate(), web.tlsKey()), false));
        if (web.publicHost() != null) {
            listeners.add(new HttpServer.Listener("public", web.publicHost(), web.publicPort(),
                    tls(web.publicTlsCertificate(), web.publicTlsKey()), true));
        }
        http = HttpServer.start(listeners, gate(web, channelConfig, authenticator::authenticate), this.routes, inFront);
        closeInOrder.add(0, http);
        for (HttpServer.Listener l : listeners) {
            if (HttpSettings.beyondLoopback(l.host()) && l.tls() == null && web.trustedProxies().isEmpty()) {
                LOG.warn("the {} HTTP port serves {} beyond this machine without TLS and without a trusted proxy: "
                        + "sign-ins and customer data cross the network in the clear. Set http.tls (or "
                        + "http.public.tls), or put a TLS proxy in front and name it in http.trustedProxies "
                        + "(docs/security.md)", l.name(), l.host());
            }
        }
    }

    private Supplier<SslContext> tls(Path certificate, Path key) {
        return certificate == null ? null : new TlsFiles(certificate, key, clock, Duration.ofSeconds(10));
    }

    /**
     * What the HTTP listeners check: the server's names (loopback names, http.publicNames, the interface it binds,
     * Twilio's public URL), trusted proxies, and the limits per client address.
     */
    private static Gate gate(HttpSettings web, ChannelConfig channels, Function<String, Caller> authenticator) {
        Set<String> names = new HashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        web.publicNames().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        for (String host : new String[] {web.host(), web.publicHost()}) {
            if (host != null && !host.equals("0.0.0.0") && !host.equals("::")) {
                names.add(host.toLowerCase(Locale.ROOT));
            }
        }
        if (channels.twilio() != null) {
            names.add(channels.twilio().publicBaseUrl().getHost().toLowerCase(Locale.ROOT));
        }
        return new Gate(names, ClientAddresses.trusting(web.trustedProxies()), authenticator, 64, 10_000,
                new RateLimits(web.apiRequestsPerSecond(), 5 * web.apiRequestsPerSecond(), 100_000, Clock.systemUTC()),
                Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /** The example's shared demo password may not guard a server others can reach. */
    private static void refuseDemoPasswords(Accounts accounts) {
        List<String> demo = accounts.agents().entrySet().stream()
                .filter(e -> e.getValue().passwordHash() != null && Passwords.matches(
                        AgentGateway.DEMO_PASSWORD.toCharArray(), e.getValue().passwordHash()))
                .map(Map.Entry::getKey).sorted().toList();
        if (!demo.isEmpty()) {
            throw new IllegalArgumentException("agents.yaml: " + String.join(", ", demo) + " still have the example's "
                    + "demo password, and this server listens beyond loopback. Give each agent a password of their "
                    + "own: printf '%s\\n' \"$PASSWORD\" | java -jar router-server.jar hash-password, and put the "
                    + "printed hash in agents.yaml under password: (or keep http.host on 127.0.0.1 to try the demo)");
        }
    }

    /** Tells every instance (this one too, through the topic) that an agent signed out: completes when Kafka has it. */
    private static CompletableFuture<Void> signOut(KafkaProducer<String, byte[]> producer, String agent,
                                                   long atMillis) {
        CompletableFuture<Void> shared = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(KafkaTopics.AGENT_SIGNOUTS, agent,
                    (agent + "\n" + atMillis).getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                        if (e == null) {
                            shared.complete(null);
                        } else {
                            shared.completeExceptionally(e);
                        }
                    });
        } catch (RuntimeException e) {
            shared.completeExceptionally(e);
        }
        return shared.orTimeout(8, TimeUnit.SECONDS);
    }

    /** Where an open contact reached us (our number, mailbox, widget, api), from the floor; null when not open. */
    private String endpointOf(String contactId) {
        return floors.merged(clock.instant()).contacts().stream().filter(c -> contactId.equals(c.get("contactId")))
                .map(c -> (String) c.get("endpoint")).findFirst().orElse(null);
    }

    /** The agents' names and presence and the queues, for the desktop (no contacts: those are supervisors'). */
    private Map<String, Object> team() {
        RoutingLoop.Floor floor = floors.merged(clock.instant());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agents", floor.agents().stream().map(a -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("agent", a.get("agent"));
            row.put("name", a.get("name"));
            row.put("presence", a.get("presence"));
            return row;
        }).toList());
        out.put("queues", floor.queues().stream().map(q -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("queue", q.get("queue"));
            row.put("name", q.get("name"));
            return row;
        }).distinct().toList());
        return out;
    }

    /**
     * Waits until the cluster answers, so that a wrong address, protocol or credentials stop the start with a message
     * instead of leaving every client retrying for ever.
     */
    private void awaitKafka() throws InterruptedException {
        String where = "Kafka at " + kafka.describe();
        try {
            admin.describeCluster().nodes().get(KAFKA_START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException) {
                throw new IllegalStateException(where + " refused the router's credentials: " + cause.getMessage()
                        + ". Check kafka.client in router.yaml (security.protocol, sasl.mechanism) and the secrets in "
                        + ServerSetting.KAFKA_SASL_JAAS_CONFIG.env + " or the ROUTER_KAFKA_SSL_* variables", cause);
            }
            throw new IllegalStateException(where + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(where + " did not answer within " + KAFKA_START_TIMEOUT.toSeconds()
                    + " s: is it running and reachable from here, and does kafka.client security.protocol match its"
                    + " listener?", e);
        }
    }

    private static ArrayNode decisionsJson(List<RoutingDecision> decisions) {
        ArrayNode list = HttpResponse.JSON.createArrayNode();
        for (RoutingDecision d : decisions) {
            list.add(DecisionJson.tree(d));
        }
        return list;
    }

    /** What the router knows of one agent now, from the last floor: their row, offers and contacts. */
    private Map<String, Object> agentState(String agentId) {
        RoutingLoop.Floor floor = floors.merged(clock.instant());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agentId", agentId);
        out.put("at", floor.at().toString());
        out.put("agent", floor.agents().stream().filter(a -> agentId.equals(a.get("agent"))).findFirst().orElse(null));
        out.put("contacts", floor.contacts().stream().filter(c -> agentId.equals(c.get("owner"))
                || agentId.equals(c.get("offeredTo"))).toList());
        return out;
    }

    private void remember(String reload) {
        reloads.addFirst(clock.instant() + " " + reload);
        while (reloads.size() > 10) {
            reloads.removeLast();
        }
    }

    /**
     * Readiness, answered when Kafka answers (or after 2 s): anyone may ask, so no thread waits on Kafka for it.
     */
    private CompletionStage<HttpResponse> ready(HttpRequest request) {
        CompletableFuture<Boolean> kafkaUp = new CompletableFuture<>();
        admin.describeCluster().nodes().whenComplete((nodes, failure) -> kafkaUp.complete(failure == null));
        return kafkaUp.completeOnTimeout(false, 2, TimeUnit.SECONDS).thenApply(up -> ready(request, up));
    }

    private HttpResponse ready(HttpRequest request, boolean kafkaUp) {
        boolean routing = loop.isReady();
        Map<String, String> stoppedSenders = channels.stoppedSenders();
        boolean ready = kafkaUp && routing && stoppedSenders.isEmpty();
        HttpResponseStatus status = ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
        Caller caller = request.caller();
        if (!caller.isSupervisor() && !caller.has(Scope.REPORTS_READ) && !caller.has(Scope.METRICS_READ)) {
            // Anyone may ask whether the server is ready; what it runs and where is for those with credentials.
            return HttpResponse.json(status, Map.of("status", ready ? "ready" : "not ready"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "not ready");
        body.put("kafka", kafkaUp ? "reachable" : "unreachable");
        body.put("routing", routing ? "running" : "not running"
                + (loop.stopReason() == null ? "" : ": " + loop.stopReason()));
        body.put("partitions", loop.assignedPartitions());
        body.put("configVersion", configVersion);
        body.put("channels", channels.health());
        if (!stoppedSenders.isEmpty()) {
            body.put("senders", stoppedSenders);
        }
        // Reported, not required: the ledger writer catches up from routing.decisions once the database is back.
        Ledger.Health l = ledger.health();
        Map<String, Object> ledgerState = new LinkedHashMap<>();
        ledgerState.put("status", l.status());
        ledgerState.put("lastSuccessAt", l.lastSuccessAt() == null ? null : l.lastSuccessAt().toString());
        ledgerState.put("checkedAt", l.checkedAt().toString());
        body.put("ledger", ledgerState);
        return HttpResponse.json(status, body);
    }

    /** Every route this instance serves; the OpenAPI document must describe exactly these. */
    public List<Route> routes() {
        return routes;
    }

    public int httpPort() {
        return http.port();
    }

    /** The public listener's port, when there is one. */
    public int publicHttpPort() {
        return http.port(1);
    }

    /** The Kafka clients of this instance: its cluster and the settings every client of it uses. */
    public KafkaClients kafkaClients() {
        return kafka;
    }

    public boolean isReady() {
        return loop != null && loop.isReady();
    }

    /** Where everything is, for people: printed at start. */
    public String describe() {
        HttpSettings web = settings.http();
        String host = web.host().equals("0.0.0.0") ? "localhost" : web.host();
        String base = (web.tlsCertificate() == null ? "http://" : "https://") + host + ":" + httpPort();
        return String.join("\n",
                "Contact router is running (instance " + settings.instanceId() + ", config " + configVersion + ")",
                "  HTTP API        " + base + "/api  (health: /health/ready, metrics: /metrics)",
                "  Channels        " + channels.describe(base),
                "  Agent desktop   " + base + "/agent  (supervisor view: /ops)",
                "  Public port     " + (web.publicHost() == null ? "none: everything on the port above (docs/security.md)"
                        : (web.publicTlsCertificate() == null ? "http://" : "https://") + web.publicHost() + ":"
                        + http.port(1) + "  (Twilio webhooks, chat, health only)"),
                "  Kafka           " + (embedded != null ? kafka.bootstrapServers() + " (embedded, log in "
                        + embedded.logDir() + ")" : kafka.describe()),
                "  Ledger          " + (settings.ledgerUrl() == null ? "H2 file in " + settings.dataDir().resolve("ledger")
                        : settings.ledgerUrl()),
                "  Data dir        " + settings.dataDir(),
                "  Config dir      " + settings.configDir().toAbsolutePath().normalize() + " (edits apply without restart)");
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeInOrder) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("while stopping {}", c, e);
            }
        }
        closeInOrder.clear();
    }
}
