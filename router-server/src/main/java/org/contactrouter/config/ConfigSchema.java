package org.contactrouter.config;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Identity;
import org.contactrouter.access.Accounts;
import org.contactrouter.access.ApiKeys;
import org.contactrouter.access.Passwords;
import org.contactrouter.access.Scope;
import org.contactrouter.routing.Agent;
import org.contactrouter.routing.BusinessHours;
import org.contactrouter.routing.BusinessHours.TimeRange;
import org.contactrouter.routing.CustomerProfile;
import org.contactrouter.routing.EscalationStep;
import org.contactrouter.routing.Queue;
import org.contactrouter.routing.RoutingRule;
import org.contactrouter.routing.RoutingSettings;
import org.contactrouter.routing.SelectionStrategy;

/**
 * Every setting and field of the config files, declared once with its type, check, default and doc. The loader
 * binds with these declarations; {@link ConfigDocs} renders docs/configuration.md from them.
 *
 * <p>Fields are declared before the objects that list them: static initialisation runs top to bottom.
 */
final class ConfigSchema {

    private ConfigSchema() {
    }

    // Value types shared by several fields.

    private static final Type<String> ID = Types.id("id");
    private static final Type<String> SKILL = Types.id("skill");
    private static final Type<String> QUEUE_ID_REF = Types.id("queue id");
    private static final Type<String> TIER_ID = Types.id("tier");
    private static final Type<String> TEXT = Types.text();
    private static final Type<String> LANGUAGE = Types.language();
    private static final Type<Channel> CHANNEL = Types.oneOf("channel", List.of(Channel.values()), Channel::wireName);
    private static final Type<Map<String, Integer>> SKILL_LEVELS = Types.mapOf(SKILL, Types.integer(1, 10));
    private static final Type<Map<Channel, Integer>> CAPACITY = Types.mapOf(CHANNEL, Types.integer(0, 20));
    private static final Type<Set<Channel>> CHANNELS = Types.setOf(CHANNEL);
    private static final Type<Set<String>> LANGUAGES = Types.setOf(LANGUAGE);
    private static final Type<Integer> PRIORITY = Types.integer(0, 100);

    // routing.yaml: settings

    private static final RoutingSettings DEFAULT_SETTINGS = RoutingSettings.defaults();
    private static final Field<Duration> OFFER_TIMEOUT = Field.optional("offerTimeout",
            Types.duration(ofSeconds(5), ofMinutes(10)), DEFAULT_SETTINGS.offerTimeout(),
            "How long an agent has to accept an offer before the contact is offered to the next agent.");
    private static final Field<Duration> OFFER_RETRY_AFTER = Field.optional("offerRetryAfter",
            Types.duration(ofSeconds(1), ofHours(1)), DEFAULT_SETTINGS.offerRetryAfter(),
            "After every able agent declined or missed a contact, wait this long, then offer it again.");
    private static final Field<Boolean> AWAY_ON_MISSED_OFFER = Field.optional("awayOnMissedOffer", Types.bool(),
            DEFAULT_SETTINGS.awayOnMissedOffer(),
            "Set an agent who lets an offer time out to away, so the next contact is not offered to an empty desk.");
    private static final Field<Duration> AFFINITY_LOOKBACK = Field.optional("affinityLookback",
            Types.duration(Duration.ZERO, ofDays(365)), DEFAULT_SETTINGS.affinityLookback(),
            "A customer's last agent counts as theirs for this long after their last contact; 0s turns affinity off.");
    private static final Field<Duration> AFFINITY_WAIT = Field.optional("affinityWait",
            Types.duration(Duration.ZERO, ofMinutes(10)), DEFAULT_SETTINGS.affinityWait(),
            "How long a returning customer waits for their own agent before other agents are offered the contact.");
    private static final Field<Integer> MAX_TRANSFERS = Field.optional("maxTransfersPerContact",
            Types.integer(0, 10), DEFAULT_SETTINGS.maxTransfersPerContact(),
            "How many times agents may transfer one contact.");
    private static final Field<Duration> WRAP_UP_LIMIT = Field.optional("wrapUpLimit",
            Types.duration(Duration.ZERO, ofHours(1)), DEFAULT_SETTINGS.wrapUpLimit(),
            "An ended contact not wrapped up within this time is wrapped up automatically.");
    private static final Field<Duration> DUPLICATE_WINDOW = Field.optional("duplicateWindow",
            Types.duration(ofMinutes(1), ofDays(30)), DEFAULT_SETTINGS.duplicateWindow(),
            "Event ids are remembered this long, so an event delivered twice is handled once.");
    private static final ObjectType<RoutingSettings> SETTINGS = new ObjectType<>("settings",
            "Settings that apply across queues, in `routing.yaml` under `settings`. Every field is optional.",
            v -> new RoutingSettings(v.get(OFFER_TIMEOUT), v.get(OFFER_RETRY_AFTER), v.get(AWAY_ON_MISSED_OFFER),
                    v.get(AFFINITY_LOOKBACK), v.get(AFFINITY_WAIT), v.get(MAX_TRANSFERS), v.get(WRAP_UP_LIMIT),
                    v.get(DUPLICATE_WINDOW)),
            OFFER_TIMEOUT, OFFER_RETRY_AFTER, AWAY_ON_MISSED_OFFER, AFFINITY_LOOKBACK, AFFINITY_WAIT, MAX_TRANSFERS,
            WRAP_UP_LIMIT, DUPLICATE_WINDOW);

    // routing.yaml: hours

    private static final Pattern TIME_RANGE = Pattern.compile("(\\d\\d:\\d\\d)-(\\d\\d:\\d\\d)");
    private static final Field<String> HOURS_ID = Field.required("id", ID, "The name queues use in `hours`.");
    private static final Field<ZoneId> ZONE = Field.required("zone",
            Types.scalar("time zone", "expected: an IANA time zone such as Europe/Berlin", ZoneId::of, ZoneId::getId),
            "The team's time zone: opening times and closed days are in it.");
    private static final Field<Map<List<DayOfWeek>, List<TimeRange>>> WEEKLY = Field.required("weekly",
            Types.mapOf(
                    Types.scalar("day", "expected: a day (mon, tue, wed, thu, fri, sat, sun) or days such as mon-fri",
                            ConfigSchema::parseDays, ConfigSchema::showDays),
                    Types.listOf(Types.scalar("time range",
                            "expected: a time range such as 09:00-17:00, from before to; 24:00 is the end of the day",
                            ConfigSchema::parseTimeRange, ConfigSchema::showTimeRange))),
            "Opening times per day (`mon`) or days (`mon-fri`), as a list of `09:00-17:00` ranges; "
                    + "a day not given is closed.");
    private static final Field<Set<LocalDate>> CLOSED = Field.optional("closed",
            Types.setOf(Types.scalar("date", "expected: a date such as 2026-12-25", LocalDate::parse,
                    LocalDate::toString)),
            Set.of(), "Whole days closed, such as public holidays.");
    private static final ObjectType<BusinessHours> HOURS = new ObjectType<>("business hours",
            "When a team works, in `routing.yaml` under `hours`. A queue names them in its `hours`; a contact that "
                    + "arrives while its queue is closed is told the next opening and enters the queue then.",
            v -> new BusinessHours(v.get(HOURS_ID), v.get(ZONE), byDay(v.get(WEEKLY)), v.get(CLOSED)),
            HOURS_ID, ZONE, WEEKLY, CLOSED);

    // routing.yaml: queues

    /** When an escalation step applies: {@code after} a wait, or at a {@code percent} of the response target. */
    private record At(Duration after, int percent) {
        @Override
        public String toString() {
            return after != null ? Types.showDuration(after) : percent + "%";
        }
    }

    private static final Field<At> AT = Field.required("at", Types.scalar("percentage or duration",
                    "expected: a share of the response target such as 80% (1%..100%), or a duration such as 45s",
                    ConfigSchema::parseAt, At::toString),
            "When the step applies: at a share of the queue's response target for the contact's channel (`80%`), "
                    + "or this long after the contact started waiting (`45s`).");
    private static final Field<Map<String, Integer>> STEP_SKILLS = Field.optional("skills",
            Types.mapOf(SKILL, Types.integer(0, 10)), Map.of(),
            "New minimum levels for the named skills, so more agents can take the contact; 0 drops the skill.");
    private static final Field<Boolean> ANY_LANGUAGE = Field.optional("anyLanguage", Types.bool(), false,
            "Offer the contact to agents who do not speak its language.");
    private static final Field<String> OVERFLOW_TO = Field.optional("overflowTo", QUEUE_ID_REF, null,
            "Move the contact to this queue; it keeps the time it has waited.");
    private static final Field<Integer> RAISE_PRIORITY = Field.optional("raisePriority", PRIORITY, 0,
            "Add this to the contact's priority.");
    private static final ObjectType<EscalationStep> ESCALATION_STEP = new ObjectType<>("escalation step",
            "What a waiting contact's queue does as the response target comes near, in a queue's `escalation` list. "
                    + "Steps apply in order, each once.",
            v -> new EscalationStep(v.get(AT).after(), v.get(AT).percent(), v.get(STEP_SKILLS), v.get(ANY_LANGUAGE),
                    v.get(OVERFLOW_TO), v.get(RAISE_PRIORITY)),
            AT, STEP_SKILLS, ANY_LANGUAGE, OVERFLOW_TO, RAISE_PRIORITY);

    private static final Field<String> QUEUE_ID = Field.required("id", ID,
            "Stable id; rules and overflow steps name the queue by it.");
    private static final Field<String> QUEUE_NAME = Field.optional("name", TEXT, null,
            "Display name.").whenAbsent("the id");
    private static final Field<Set<Channel>> QUEUE_CHANNELS = Field.required("channels", CHANNELS,
            "Channels the queue takes.");
    private static final Field<Map<String, Integer>> QUEUE_SKILLS = Field.optional("skills", SKILL_LEVELS, Map.of(),
            "Skills an agent needs, each with the minimum level (1..10).");
    private static final Field<Integer> QUEUE_PRIORITY = Field.optional("priority", PRIORITY, 0,
            "Base priority of its contacts; an agent able to take contacts of several queues gets the highest first.");
    private static final Field<Integer> AGING = Field.optional("agingPerMinute", Types.integer(0, 100), 1,
            "Priority a contact gains per minute waited, so long waits are not starved.");
    private static final Field<Map<Channel, Duration>> RESPONSE_TARGET = Field.optional("responseTarget",
            Types.mapOf(CHANNEL, Types.duration(ofSeconds(1), ofDays(30))), Map.of(),
            "Response-time target (SLA) per channel: arrival to an agent accepting. Escalation percentages are "
                    + "shares of it.").whenAbsent("`" + Types.showDuration(Queue.DEFAULT_TARGET) + "` per channel");
    private static final Field<SelectionStrategy> STRATEGY = Field.optional("strategy",
            Types.oneOf("strategy", List.of(SelectionStrategy.values()), SelectionStrategy::wireName),
            SelectionStrategy.LONGEST_IDLE,
            "How the agent is chosen among those able to take the contact: the one free longest (`longest-idle`), "
                    + "least loaded (`least-occupied`), most skilled (`best-skill-match`), or in turn "
                    + "(`round-robin`).");
    private static final Field<String> QUEUE_HOURS = Field.optional("hours", Types.id("business hours id"), null,
            "Id of the [business hours](#business-hours) the queue is open.").whenAbsent("always open");
    private static final Field<Boolean> MATCH_LANGUAGE = Field.optional("matchLanguage", Types.bool(), true,
            "Offer a contact whose language is known only to agents who speak it.");
    private static final Field<Duration> EXPECTED_HANDLE_TIME = Field.optional("expectedHandleTime",
            Types.duration(ofSeconds(1), ofDays(1)), ofMinutes(5),
            "Handle time assumed for wait estimates until contacts of the queue have been handled.");
    private static final Field<List<EscalationStep>> ESCALATION = Field.optional("escalation",
            Types.listOf(ESCALATION_STEP), List.of(),
            "Steps a waiting contact takes as its response target comes near.");
    private static final ObjectType<Queue> QUEUE = new ObjectType<>("queue",
            "Where contacts of a kind wait for an agent who can take them, in `routing.yaml` under `queues`.",
            v -> new Queue(v.get(QUEUE_ID), v.get(QUEUE_NAME), v.get(QUEUE_CHANNELS), v.get(QUEUE_SKILLS),
                    v.get(QUEUE_PRIORITY), v.get(AGING), v.get(RESPONSE_TARGET), v.get(STRATEGY), v.get(QUEUE_HOURS),
                    v.get(MATCH_LANGUAGE), v.get(EXPECTED_HANDLE_TIME), v.get(ESCALATION)),
            QUEUE_ID, QUEUE_NAME, QUEUE_CHANNELS, QUEUE_SKILLS, QUEUE_PRIORITY, AGING, RESPONSE_TARGET, STRATEGY,
            QUEUE_HOURS, MATCH_LANGUAGE, EXPECTED_HANDLE_TIME, ESCALATION);

    // routing.yaml: rules

    private record Conditions(Set<Channel> channels, Set<String> endpoints, Set<String> languages, Set<String> tiers,
                              Set<String> keywords) {
    }

    private static final Field<Set<Channel>> WHEN_CHANNEL = Field.optional("channel", CHANNELS, Set.of(),
            "The contact came on one of these channels.").whenAbsent("any");
    private static final Field<Set<String>> WHEN_ENDPOINT = Field.optional("endpoint", Types.setOf(TEXT), Set.of(),
            "The contact came to one of these, exactly as the channel reports it: a called number (`+4930901820`), "
                    + "a mailbox (`support@acme.example`) or a chat widget id.").whenAbsent("any");
    private static final Field<Set<String>> WHEN_LANGUAGE = Field.optional("language", LANGUAGES, Set.of(),
            "The contact's language is one of these (by primary tag: `de-AT` matches `de`).").whenAbsent("any");
    private static final Field<Set<String>> WHEN_TIER = Field.optional("tier", Types.setOf(TIER_ID), Set.of(),
            "The customer's tier (from customers.yaml, or given by the channel) is one of these.")
            .whenAbsent("any");
    private static final Field<Set<String>> WHEN_KEYWORDS = Field.optional("keywords", Types.setOf(TEXT), Set.of(),
            "The subject or first message contains one of these words or phrases, as whole words, ignoring case.")
            .whenAbsent("any");
    private static final ObjectType<Conditions> CONDITIONS = new ObjectType<>("rule conditions",
            "What a contact must match for a rule to apply, in a rule's `when`: every condition given, each with any "
                    + "one of its values.",
            v -> new Conditions(v.get(WHEN_CHANNEL), v.get(WHEN_ENDPOINT), v.get(WHEN_LANGUAGE), v.get(WHEN_TIER),
                    v.get(WHEN_KEYWORDS)),
            WHEN_CHANNEL, WHEN_ENDPOINT, WHEN_LANGUAGE, WHEN_TIER, WHEN_KEYWORDS);

    private static final Field<String> RULE_ID = Field.required("id", ID,
            "The rule's name, recorded with every decision it causes.");
    private static final Field<Conditions> WHEN = Field.optional("when", CONDITIONS, CONDITIONS.defaults(),
            "What a contact must match.").whenAbsent("`{}`: every contact (a catch-all)");
    private static final Field<String> RULE_QUEUE = Field.required("queue", QUEUE_ID_REF,
            "Id of the queue the contact goes to.");
    private static final Field<Integer> RULE_PRIORITY = Field.optional("priority", PRIORITY, null,
            "Priority of the contact, instead of the queue's.").whenAbsent("the queue's");
    private static final Field<Map<String, Integer>> RULE_SKILLS = Field.optional("skills", SKILL_LEVELS, Map.of(),
            "Skills an agent needs in addition to the queue's, each with the minimum level (1..10).");
    private static final ObjectType<RoutingRule> RULE = new ObjectType<>("rule",
            "Picks the queue of a new contact, in `routing.yaml` under `rules`. Rules are tried in order; the first "
                    + "that matches wins. A rule only matches contacts its queue takes; a contact no rule matches goes "
                    + "to the first queue that takes its channel.",
            v -> {
                Conditions when = v.get(WHEN);
                return new RoutingRule(v.get(RULE_ID), when.channels(), when.endpoints(), when.languages(),
                        when.tiers(), List.copyOf(when.keywords()), v.get(RULE_QUEUE), v.get(RULE_PRIORITY),
                        v.get(RULE_SKILLS));
            },
            RULE_ID, WHEN, RULE_QUEUE, RULE_PRIORITY, RULE_SKILLS);

    // routing.yaml

    /** What routing.yaml binds to. */
    record RoutingFile(RoutingSettings settings, List<BusinessHours> hours, List<Queue> queues,
                       List<RoutingRule> rules) {
    }

    private static final Field<RoutingSettings> SETTINGS_FIELD = Field.optional("settings", SETTINGS,
            SETTINGS.defaults(), "Settings that apply across queues.");
    private static final Field<List<BusinessHours>> HOURS_FIELD = Field.optional("hours", Types.listOf(HOURS),
            List.of(), "When teams work; queues refer to these by id.");
    private static final Field<List<Queue>> QUEUES_FIELD = Field.required("queues", Types.listOf(QUEUE),
            "The queues.");
    private static final Field<List<RoutingRule>> RULES_FIELD = Field.optional("rules", Types.listOf(RULE),
            List.of(), "The rules that pick a new contact's queue, first match wins; end with a catch-all.");
    static final ConfigFile<RoutingFile> ROUTING_YAML = new ConfigFile<>("routing.yaml", true,
            new ObjectType<>("routing.yaml", "Settings, business hours, queues and the rules that pick a queue.",
                    v -> new RoutingFile(v.get(SETTINGS_FIELD), v.get(HOURS_FIELD), v.get(QUEUES_FIELD),
                            v.get(RULES_FIELD)),
                    SETTINGS_FIELD, HOURS_FIELD, QUEUES_FIELD, RULES_FIELD));

    // agents.yaml

    private record AgentDefaults(Set<String> languages, Map<Channel, Integer> capacity, Set<Channel> exclusive) {
    }

    private record AgentEntry(String id, String name, Map<String, Integer> skills, Set<String> languages,
                              Map<Channel, Integer> capacity, Set<Channel> exclusive, String phone, String password,
                              Role role) {

        Agent withDefaults(AgentDefaults defaults) {
            Map<Channel, Integer> merged = new EnumMap<>(Channel.class);
            merged.putAll(defaults.capacity());
            if (capacity != null) {
                merged.putAll(capacity);
            }
            return new Agent(id, name, skills, languages != null ? languages : defaults.languages(), merged,
                    exclusive != null ? exclusive : defaults.exclusive(), phone);
        }
    }

    private static final Field<Set<String>> DEFAULT_LANGUAGES = Field.optional("languages", LANGUAGES, Set.of("en"),
            "Languages an agent speaks.");
    private static final Field<Map<Channel, Integer>> DEFAULT_CAPACITY = Field.optional("capacity", CAPACITY,
            defaultCapacity(), "How many contacts of each channel an agent handles at once; 0 or not given: none.");
    private static final Field<Set<Channel>> DEFAULT_EXCLUSIVE = Field.optional("exclusive", CHANNELS,
            Set.of(Channel.VOICE), "Channels whose contact blocks all others while an agent has it, such as a call.");
    private static final ObjectType<AgentDefaults> AGENT_DEFAULTS = new ObjectType<>("agent defaults",
            "What every agent has unless the agent says otherwise, in `agents.yaml` under `defaults`.",
            v -> new AgentDefaults(v.get(DEFAULT_LANGUAGES), v.get(DEFAULT_CAPACITY), v.get(DEFAULT_EXCLUSIVE)),
            DEFAULT_LANGUAGES, DEFAULT_CAPACITY, DEFAULT_EXCLUSIVE);

    private static final Field<String> AGENT_ID = Field.required("id", ID,
            "Stable id, used in events, the ledger and customers' `preferredAgent`.");
    private static final Field<String> AGENT_NAME = Field.optional("name", TEXT, null,
            "The name customers are told.").whenAbsent("the id");
    private static final Field<Map<String, Integer>> AGENT_SKILLS = Field.optional("skills", SKILL_LEVELS, Map.of(),
            "Skills with the agent's level in each, 1..10.");
    private static final Field<Set<String>> AGENT_LANGUAGES = Field.optional("languages", LANGUAGES, null,
            "Languages the agent speaks.").whenAbsent("`defaults.languages`");
    private static final Field<Map<Channel, Integer>> AGENT_CAPACITY = Field.optional("capacity", CAPACITY, null,
            "Contacts of each channel the agent handles at once; channels given replace the defaults' one by one.")
            .whenAbsent("`defaults.capacity`");
    private static final Field<Set<Channel>> AGENT_EXCLUSIVE = Field.optional("exclusive", CHANNELS, null,
            "Channels whose contact blocks all others while the agent has it.").whenAbsent("`defaults.exclusive`");
    private static final Field<String> AGENT_PHONE = Field.optional("phone", Types.scalar("phone number",
                    "expected: a phone number with country code such as +4917012345678",
                    text -> Identity.phone(text).value(), java.util.function.Function.identity()), null,
            "The agent's phone: their calls are bridged to it instead of ringing their browser.")
            .whenAbsent("the agent desktop's browser phone");
    private static final Field<String> AGENT_PASSWORD = Field.optional("password", Types.scalar("password hash",
                    "expected: a hash made by `router hash-password`, pbkdf2-sha256$<iterations>$<salt>$<hash>",
                    text -> Passwords.FORMAT.matcher(text).matches() ? text : null, java.util.function.Function.identity()),
            null, "The agent's desktop password, hashed (never the password itself): `router hash-password` makes it.")
            .whenAbsent("cannot sign in");

    /** What an agent may see beyond their own contacts. */
    enum Role {
        AGENT, SUPERVISOR;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Field<Role> AGENT_ROLE = Field.optional("role", Types.oneOf("role", List.of(Role.values()),
                    Role::wireName), Role.AGENT,
            "`supervisor` also sees the floor, every customer's history, exports, the audit, decisions, the config and "
                    + "`/ops`; `agent` sees their own contacts and the history of those contacts' customers.");
    private static final ObjectType<AgentEntry> AGENT = new ObjectType<>("agent",
            "A person who takes contacts, in `agents.yaml` under `agents`.",
            v -> new AgentEntry(v.get(AGENT_ID), v.get(AGENT_NAME), v.get(AGENT_SKILLS), v.get(AGENT_LANGUAGES),
                    v.get(AGENT_CAPACITY), v.get(AGENT_EXCLUSIVE), v.get(AGENT_PHONE), v.get(AGENT_PASSWORD),
                    v.get(AGENT_ROLE)),
            AGENT_ID, AGENT_NAME, AGENT_SKILLS, AGENT_LANGUAGES, AGENT_CAPACITY, AGENT_EXCLUSIVE, AGENT_PHONE,
            AGENT_PASSWORD, AGENT_ROLE);

    /** What agents.yaml binds to: the agents with the defaults merged in, and their sign-in accounts by agent id. */
    record AgentsFile(List<String> skills, List<Agent> agents, Map<String, Accounts.AgentAccount> accounts) {
    }

    private static final Field<Set<String>> SKILLS_FIELD = Field.required("skills", Types.setOf(SKILL),
            "The skills agents, queues and rules may name; any other skill name is an error.");
    private static final Field<AgentDefaults> DEFAULTS_FIELD = Field.optional("defaults", AGENT_DEFAULTS,
            AGENT_DEFAULTS.defaults(), "Merged under every agent.");
    private static final Field<List<AgentEntry>> AGENTS_FIELD = Field.required("agents", Types.listOf(AGENT),
            "The agents.");
    static final ConfigFile<AgentsFile> AGENTS_YAML = new ConfigFile<>("agents.yaml", true,
            new ObjectType<>("agents.yaml", "The skills, the defaults every agent shares, and the agents.",
                    v -> new AgentsFile(List.copyOf(v.get(SKILLS_FIELD)),
                            v.get(AGENTS_FIELD).stream().map(a -> a.withDefaults(v.get(DEFAULTS_FIELD))).toList(),
                            accounts(v.get(AGENTS_FIELD))),
                    SKILLS_FIELD, DEFAULTS_FIELD, AGENTS_FIELD));

    private static Map<String, Accounts.AgentAccount> accounts(List<AgentEntry> agents) {
        Map<String, Accounts.AgentAccount> out = new java.util.TreeMap<>();
        agents.forEach(a -> out.put(a.id(), new Accounts.AgentAccount(a.password(), a.role() == Role.SUPERVISOR)));
        return out;
    }

    // customers.yaml

    private static final Field<String> CUSTOMER_NAME = Field.optional("name", TEXT, null, "Display name.");
    private static final Field<String> TIER = Field.optional("tier", TIER_ID, null,
            "Tier rules can match on, such as `gold`.");
    private static final Field<String> PREFERRED_AGENT = Field.optional("preferredAgent", Types.id("agent id"), null,
            "Id of the agent offered the customer's contacts first.");
    private static final Field<Set<Identity>> IDENTITIES = Field.required("identities",
            Types.setOf(Types.scalar("identity",
                    "expected: a phone number with country code such as +4917012345678, an email address, "
                            + "or chat:<visitor id>",
                    Identity::parse, Identity::key)),
            "Phone numbers, email addresses and chat visitor ids (`chat:v-81f2`) that are this customer.");
    private static final ObjectType<CustomerProfile> CUSTOMER = new ObjectType<>("customer",
            "A customer known by configuration, in `customers.yaml` under `customers`.",
            v -> new CustomerProfile(v.get(CUSTOMER_NAME), v.get(TIER), v.get(PREFERRED_AGENT),
                    List.copyOf(v.get(IDENTITIES))),
            CUSTOMER_NAME, TIER, PREFERRED_AGENT, IDENTITIES);
    private static final Field<List<CustomerProfile>> CUSTOMERS_FIELD = Field.optional("customers",
            Types.listOf(CUSTOMER), List.of(), "The customers.");
    static final ConfigFile<List<CustomerProfile>> CUSTOMERS_YAML = new ConfigFile<>("customers.yaml", false,
            new ObjectType<>("customers.yaml",
                    "Customers known by phone number, email address or chat id: their tier and preferred agent.",
                    v -> v.get(CUSTOMERS_FIELD), CUSTOMERS_FIELD));

    // integrations.yaml

    private static final Field<String> KEY_ID = Field.required("id", Types.scalar("key id",
                    "expected: letters, digits and '-', such as crm", text -> ApiKeys.idOf("crk_" + text + "_"
                            + "A".repeat(43)) != null ? text : null, java.util.function.Function.identity()),
            "The key's id: the part of the key after `crk_`, shown in logs and the ledger's callers.");
    private static final Field<String> KEY_HASH = Field.required("keyHash", Types.scalar("key hash",
                    "expected: sha256:<64 hex digits>, as `router api-key` prints it",
                    text -> ApiKeys.HASH_FORMAT.matcher(text).matches() ? text : null,
                    java.util.function.Function.identity()),
            "The SHA-256 of the key (never the key itself): `router api-key <id>` makes a key and prints this line.");
    private static final Field<Set<Scope>> KEY_SCOPES = Field.required("scopes", Types.setOf(Types.oneOf("scope",
                    List.of(Scope.values()), Scope::wireName)),
            "What the key may do: `contacts:create`, `history:read`, `reports:read`, `metrics:read`.");
    private static final ObjectType<Accounts.IntegrationKey> INTEGRATION = new ObjectType<>("integration",
            "Another system's API key, in `integrations.yaml` under `integrations`.",
            v -> new Accounts.IntegrationKey(v.get(KEY_ID), v.get(KEY_HASH), v.get(KEY_SCOPES)),
            KEY_ID, KEY_HASH, KEY_SCOPES);
    private static final Field<List<Accounts.IntegrationKey>> INTEGRATIONS_FIELD = Field.optional("integrations",
            Types.listOf(INTEGRATION), List.of(), "The keys.");
    static final ConfigFile<List<Accounts.IntegrationKey>> INTEGRATIONS_YAML = new ConfigFile<>("integrations.yaml",
            false, new ObjectType<>("integrations.yaml",
            "API keys of other systems (a CRM, a web form's backend, Prometheus), stored as hashes, with their scopes.",
            v -> v.get(INTEGRATIONS_FIELD), INTEGRATIONS_FIELD));

    /** The files of a config directory, in the order the reference describes them. */
    static final List<ConfigFile<?>> FILES = List.of(ROUTING_YAML, AGENTS_YAML, CUSTOMERS_YAML, INTEGRATIONS_YAML);

    private static Map<Channel, Integer> defaultCapacity() {
        Map<Channel, Integer> capacity = new EnumMap<>(Channel.class);
        capacity.put(Channel.VOICE, 1);
        capacity.put(Channel.SMS, 3);
        capacity.put(Channel.WHATSAPP, 3);
        capacity.put(Channel.EMAIL, 2);
        capacity.put(Channel.CHAT, 3);
        return capacity;
    }

    private static List<DayOfWeek> parseDays(String text) {
        String[] ends = text.split("-", -1);
        if (ends.length > 2) {
            return null;
        }
        DayOfWeek from = day(ends[0]);
        DayOfWeek to = day(ends[ends.length - 1]);
        if (from == null || to == null || from.compareTo(to) > 0) {
            return null;
        }
        List<DayOfWeek> days = new ArrayList<>();
        for (int d = from.ordinal(); d <= to.ordinal(); d++) {
            days.add(DayOfWeek.values()[d]);
        }
        return days;
    }

    private static DayOfWeek day(String name) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (dayName(d).equals(name)) {
                return d;
            }
        }
        return null;
    }

    private static String dayName(DayOfWeek d) {
        return d.name().substring(0, 3).toLowerCase(Locale.ROOT);
    }

    private static String showDays(List<DayOfWeek> days) {
        String first = dayName(days.get(0));
        return days.size() == 1 ? first : first + "-" + dayName(days.get(days.size() - 1));
    }

    private static Map<DayOfWeek, List<TimeRange>> byDay(Map<List<DayOfWeek>, List<TimeRange>> weekly) {
        Map<DayOfWeek, List<TimeRange>> byDay = new EnumMap<>(DayOfWeek.class);
        Map<DayOfWeek, String> givenIn = new EnumMap<>(DayOfWeek.class);
        weekly.forEach((days, ranges) -> {
            for (DayOfWeek d : days) {
                String other = givenIn.putIfAbsent(d, showDays(days));
                if (other != null) {
                    throw new IllegalArgumentException("weekly: '" + dayName(d) + "' is in both '" + other + "' and '"
                            + showDays(days) + "' (expected: each day once)");
                }
                byDay.put(d, ranges);
            }
        });
        return byDay;
    }

    private static TimeRange parseTimeRange(String text) {
        Matcher m = TIME_RANGE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        LocalTime to = m.group(2).equals("24:00") ? LocalTime.MAX : LocalTime.parse(m.group(2));
        return new TimeRange(LocalTime.parse(m.group(1)), to);
    }

    private static String showTimeRange(TimeRange r) {
        return r.from() + "-" + (r.to().equals(LocalTime.MAX) ? "24:00" : r.to().toString());
    }

    private static At parseAt(String text) {
        if (text.endsWith("%")) {
            int percent = Integer.parseInt(text.substring(0, text.length() - 1));
            return percent >= 1 && percent <= 100 ? new At(null, percent) : null;
        }
        Duration after = Types.parseDuration(text);
        return after != null && !after.isZero() ? new At(after, 0) : null;
    }
}
