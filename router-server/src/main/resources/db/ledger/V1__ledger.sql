-- The ledger: every routing decision as it was made, and a projection of them per contact.
-- Portable SQL for PostgreSQL and H2 (MODE=PostgreSQL): no vendor types. Ids and names are VARCHAR without a
-- length (no value is ever too long to record), message text and JSON are TEXT.
-- The migration runner splits statements at semicolons; do not put one inside a statement.

-- Every decision, once: the whole decision as JSON (decision_json), and its fields as columns to query by.
CREATE TABLE decisions (
    id                VARCHAR PRIMARY KEY,
    sequence          BIGINT NOT NULL,
    contact_id        VARCHAR,
    decided_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    config_version    VARCHAR,
    type              VARCHAR NOT NULL,
    customer_key      VARCHAR,
    channel           VARCHAR,
    queue_id          VARCHAR,
    rule_id           VARCHAR,
    agent_id          VARCHAR,
    previous_agent_id VARCHAR,
    offer_id          VARCHAR,
    due_at            TIMESTAMP WITH TIME ZONE,
    priority          INTEGER,
    estimated_wait_ms BIGINT,
    text              TEXT,
    reason            VARCHAR,
    cause_event_id    VARCHAR,
    explanation       TEXT,
    decision_json     TEXT NOT NULL,
    recorded_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX decisions_by_contact ON decisions (contact_id, sequence);
CREATE INDEX decisions_by_agent ON decisions (agent_id, decided_at);

-- One row per contact, following its decisions: who the customer is, where it queued, who owns it, how it ended.
-- status is the engine's contact status: scheduled, waiting, offered, assigned, ended, closed, abandoned.
CREATE TABLE contacts (
    contact_id             VARCHAR PRIMARY KEY,
    customer_key           VARCHAR,
    customer_name          VARCHAR,
    channel                VARCHAR,
    subject                TEXT,
    first_text             TEXT,
    queue_id               VARCHAR,
    rule_id                VARCHAR,
    priority               INTEGER,
    status                 VARCHAR NOT NULL,
    owner_agent_id         VARCHAR,
    opened_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    due_at                 TIMESTAMP WITH TIME ZONE,
    queued_at              TIMESTAMP WITH TIME ZONE,
    assigned_at            TIMESTAMP WITH TIME ZONE,
    wait_ms                BIGINT,
    ended_at               TIMESTAMP WITH TIME ZONE,
    closed_at              TIMESTAMP WITH TIME ZONE,
    disposition            TEXT,
    offers                 INTEGER NOT NULL,
    transfers              INTEGER NOT NULL,
    sla_breached           BOOLEAN NOT NULL,
    origin_contact_id      VARCHAR,
    last_decision_sequence BIGINT NOT NULL,
    last_decision_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX contacts_by_customer ON contacts (customer_key, opened_at);
CREATE INDEX contacts_by_opening ON contacts (opened_at);

-- Every agent who owned a contact, from when they first accepted it.
CREATE TABLE agent_contacts (
    agent_id    VARCHAR NOT NULL,
    contact_id  VARCHAR NOT NULL,
    assigned_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (agent_id, contact_id)
);

CREATE INDEX agent_contacts_by_contact ON agent_contacts (contact_id, assigned_at);

-- Each identity (tel:, mailto:, chat:) a decision showed, with every customer key it was shown under: usually one;
-- more when a customer gave an address known under another key, or a configured customer claimed the identity.
CREATE TABLE identities (
    identity_key  VARCHAR NOT NULL,
    customer_key  VARCHAR NOT NULL,
    customer_name VARCHAR,
    first_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (identity_key, customer_key)
);

CREATE INDEX identities_by_customer ON identities (customer_key);
