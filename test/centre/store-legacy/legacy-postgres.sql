--
-- PostgreSQL database dump
--

\restrict CNeEzLCEdRL8nBuZa79FIAPKyZkjHC3m2N8DzEB79PNQCAl7NXeAN5Ofds6cutY

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: legacy; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA legacy;


--
-- Name: vigil_append_only(); Type: FUNCTION; Schema: legacy; Owner: -
--

CREATE FUNCTION legacy.vigil_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;


--
-- Name: vigil_now_ms(); Type: FUNCTION; Schema: legacy; Owner: -
--

CREATE FUNCTION legacy.vigil_now_ms() RETURNS bigint
    LANGUAGE sql
    AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;


--
-- Name: vigil_registry_bump(); Type: FUNCTION; Schema: legacy; Owner: -
--

CREATE FUNCTION legacy.vigil_registry_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; RETURN NULL; END $$;


--
-- Name: alarm_numbers; Type: SEQUENCE; Schema: legacy; Owner: -
--

CREATE SEQUENCE legacy.alarm_numbers
    START WITH 1001
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: alarms; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.alarms (
    id text NOT NULL,
    number bigint NOT NULL,
    type text NOT NULL,
    state text NOT NULL,
    priority integer NOT NULL,
    site_id text,
    device_id text,
    worker_id text,
    incident_ref bigint,
    last_counter bigint,
    "position" jsonb,
    position_at bigint,
    created_at bigint NOT NULL,
    raised_at bigint,
    updated_at bigint NOT NULL,
    acknowledged_at bigint,
    acknowledged_by text,
    resolved_at bigint,
    resolved_by text,
    resolution text,
    comment text,
    subject text,
    text text,
    session_id text
);


--
-- Name: app_actions; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.app_actions (
    key text NOT NULL,
    worker_id text NOT NULL,
    action text NOT NULL,
    at bigint NOT NULL,
    device_id text,
    counter bigint,
    status integer,
    response jsonb
);


--
-- Name: attempts; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.attempts (
    seq bigint NOT NULL,
    at bigint NOT NULL,
    notification_id text,
    alarm_id text,
    channel text NOT NULL,
    recipient text NOT NULL,
    contact_name text NOT NULL,
    status text NOT NULL,
    detail text
);


--
-- Name: attempts_seq_seq; Type: SEQUENCE; Schema: legacy; Owner: -
--

CREATE SEQUENCE legacy.attempts_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: attempts_seq_seq; Type: SEQUENCE OWNED BY; Schema: legacy; Owner: -
--

ALTER SEQUENCE legacy.attempts_seq_seq OWNED BY legacy.attempts.seq;


--
-- Name: audit; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.audit (
    seq bigint NOT NULL,
    at bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    data jsonb
);


--
-- Name: audit_seq_seq; Type: SEQUENCE; Schema: legacy; Owner: -
--

CREATE SEQUENCE legacy.audit_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_seq_seq; Type: SEQUENCE OWNED BY; Schema: legacy; Owner: -
--

ALTER SEQUENCE legacy.audit_seq_seq OWNED BY legacy.audit.seq;


--
-- Name: auth_sessions; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.auth_sessions (
    token_hash text NOT NULL,
    user_id text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: cluster_leases; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.cluster_leases (
    bucket integer NOT NULL,
    holder text,
    token bigint DEFAULT 0 NOT NULL,
    expires_at bigint DEFAULT 0 NOT NULL,
    acquired_at bigint
);


--
-- Name: cluster_nodes; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.cluster_nodes (
    id text NOT NULL,
    client_id text NOT NULL,
    http_url text,
    channels text NOT NULL,
    started_at bigint NOT NULL,
    seen_at bigint NOT NULL,
    stopped_at bigint
);


--
-- Name: devices; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.devices (
    id text NOT NULL,
    key text NOT NULL,
    board text NOT NULL,
    worker_id text,
    site_id text,
    created_at bigint NOT NULL,
    last_counter bigint DEFAULT '-1'::integer NOT NULL,
    last_seen_at bigint,
    battery_pct integer,
    purged_counter bigint DEFAULT '-1'::integer NOT NULL
);


--
-- Name: escalations; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.escalations (
    id text NOT NULL,
    alarm_id text NOT NULL,
    site_id text,
    state text NOT NULL,
    phase text NOT NULL,
    steps jsonb NOT NULL,
    broadcast jsonb NOT NULL,
    step integer NOT NULL,
    round integer NOT NULL,
    repeat boolean NOT NULL,
    next_at bigint,
    version bigint NOT NULL,
    started_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    ended_at bigint,
    end_reason text,
    partition_key text
);


--
-- Name: events; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.events (
    device_id text NOT NULL,
    counter bigint NOT NULL,
    type text NOT NULL,
    received_at bigint NOT NULL,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    rssi_dbm integer,
    battery_pct integer,
    "position" jsonb,
    detail integer NOT NULL,
    ref bigint NOT NULL,
    handled boolean DEFAULT true NOT NULL
);


--
-- Name: floor_plans; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.floor_plans (
    site_id text NOT NULL,
    floor text NOT NULL,
    content_type text NOT NULL,
    width_m double precision NOT NULL,
    height_m double precision NOT NULL,
    image bytea NOT NULL,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL
);


--
-- Name: live_overflow; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.live_overflow (
    seq bigint NOT NULL,
    at bigint NOT NULL,
    payload text NOT NULL
);


--
-- Name: live_overflow_seq_seq; Type: SEQUENCE; Schema: legacy; Owner: -
--

CREATE SEQUENCE legacy.live_overflow_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: live_overflow_seq_seq; Type: SEQUENCE OWNED BY; Schema: legacy; Owner: -
--

ALTER SEQUENCE legacy.live_overflow_seq_seq OWNED BY legacy.live_overflow.seq;


--
-- Name: meta; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.meta (
    key text NOT NULL,
    value bigint NOT NULL
);


--
-- Name: outbox; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.outbox (
    id text NOT NULL,
    alarm_id text,
    alarm_number text,
    escalation_id text,
    step integer,
    target_key text,
    channel text NOT NULL,
    recipient text NOT NULL,
    contact_id text,
    contact_name text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    link text,
    data jsonb,
    priority integer NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL,
    max_attempts integer NOT NULL,
    next_attempt_at bigint NOT NULL,
    claimed_by text,
    claimed_until bigint,
    created_at bigint NOT NULL,
    sent_at bigint,
    detail text,
    seq bigint NOT NULL
);


--
-- Name: outbox_seq_seq; Type: SEQUENCE; Schema: legacy; Owner: -
--

CREATE SEQUENCE legacy.outbox_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_seq_seq; Type: SEQUENCE OWNED BY; Schema: legacy; Owner: -
--

ALTER SEQUENCE legacy.outbox_seq_seq OWNED BY legacy.outbox.seq;


--
-- Name: pairing_codes; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.pairing_codes (
    code_hash text NOT NULL,
    worker_id text NOT NULL,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint
);


--
-- Name: positions; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.positions (
    device_id text NOT NULL,
    worker_id text,
    at bigint NOT NULL,
    kind text NOT NULL,
    lat double precision,
    lon double precision,
    beacon_id text,
    zone_id text,
    rssi_dbm integer
);


--
-- Name: registry; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.registry (
    kind text NOT NULL,
    id text NOT NULL,
    site_id text,
    data jsonb NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: responder_tokens; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.responder_tokens (
    token_hash text NOT NULL,
    alarm_id text NOT NULL,
    target_key text NOT NULL,
    contact_name text NOT NULL,
    channel text NOT NULL,
    address text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint
);


--
-- Name: schema_version; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.schema_version (
    version integer NOT NULL
);


--
-- Name: secrets; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.secrets (
    name text NOT NULL,
    value bytea NOT NULL
);


--
-- Name: sites; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.sites (
    id text NOT NULL,
    name text NOT NULL,
    ladder_id text
);


--
-- Name: stream_tickets; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.stream_tickets (
    ticket_hash text NOT NULL,
    user_id text NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.users (
    id text NOT NULL,
    username text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    password_hash text NOT NULL,
    scope jsonb
);


--
-- Name: work_sessions; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.work_sessions (
    id text NOT NULL,
    owner text NOT NULL,
    worker_id text,
    device_id text,
    site_id text,
    kind text NOT NULL,
    state text NOT NULL,
    started_at bigint NOT NULL,
    started_by text NOT NULL,
    planned_end_at bigint,
    reminder_before_s integer NOT NULL,
    reminder_sent_at bigint,
    check_in_interval_s integer,
    check_in_grace_s integer NOT NULL,
    next_check_in_at bigint,
    check_in_prompted_at bigint,
    last_check_in_at bigint,
    note text,
    phone text,
    call_list jsonb NOT NULL,
    ended_at bigint,
    ended_by text,
    updated_at bigint NOT NULL
);


--
-- Name: worker_credentials; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.worker_credentials (
    worker_id text NOT NULL,
    username text NOT NULL,
    password_hash text NOT NULL,
    created_at bigint NOT NULL,
    created_by text NOT NULL
);


--
-- Name: worker_logins; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.worker_logins (
    token_hash text NOT NULL,
    worker_id text NOT NULL,
    via text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: workers; Type: TABLE; Schema: legacy; Owner: -
--

CREATE TABLE legacy.workers (
    id text NOT NULL,
    name text NOT NULL,
    phone text,
    site_id text,
    ladder_id text,
    team_id text
);


--
-- Name: attempts seq; Type: DEFAULT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.attempts ALTER COLUMN seq SET DEFAULT nextval('legacy.attempts_seq_seq'::regclass);


--
-- Name: audit seq; Type: DEFAULT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.audit ALTER COLUMN seq SET DEFAULT nextval('legacy.audit_seq_seq'::regclass);


--
-- Name: live_overflow seq; Type: DEFAULT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.live_overflow ALTER COLUMN seq SET DEFAULT nextval('legacy.live_overflow_seq_seq'::regclass);


--
-- Name: outbox seq; Type: DEFAULT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.outbox ALTER COLUMN seq SET DEFAULT nextval('legacy.outbox_seq_seq'::regclass);


--
-- Data for Name: alarms; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.alarms VALUES ('a1', 1001, 'sos', 'raised', 1, 's1', '0000beef', 'w1', 3, 3, '{"ageS": 2, "kind": "beacon", "rssiDbm": -60, "beaconId": 65537}', 10, 10, 11, 12, NULL, NULL, NULL, NULL, NULL, NULL, 'device:0000beef', NULL, NULL);
INSERT INTO legacy.alarms VALUES ('a2', 1002, 'gateway_offline', 'resolved', 4, 's1', NULL, NULL, 3, 3, NULL, 10, 20, 11, 12, NULL, NULL, 30, 'user:op', 'false_alarm', 'back', 'gateway:s1/gw1', 'gone', NULL);


--
-- Data for Name: app_actions; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.app_actions VALUES ('k1', 'w1', 'session:start', 4, NULL, NULL, 200, '{"ok": true, "list": [1]}');


--
-- Data for Name: attempts; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.attempts VALUES (1, 21, 'm1', 'a1', 'sms', '+331', 'Ann', 'sent', 'ok');


--
-- Data for Name: audit; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.audit VALUES (1, 5, 'user:admin', 'x', 'alarm', 'a1', '{"n": [1, 2], "why": "sos"}');
INSERT INTO legacy.audit VALUES (2, 5, 'user:admin', 'x', 'alarm', 'a2', NULL);
INSERT INTO legacy.audit VALUES (3, 5, 'user:admin', 'resolved', 'alarm', 'a2', NULL);
INSERT INTO legacy.audit VALUES (4, 5, 'user:admin', 'x', 'session', 'sess1', NULL);
INSERT INTO legacy.audit VALUES (5, 5, 'user:admin', 'x', 'escalation', 'e1', NULL);


--
-- Data for Name: auth_sessions; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.auth_sessions VALUES ('tok1', 'u1', 1, 4000000000000);


--
-- Data for Name: cluster_leases; Type: TABLE DATA; Schema: legacy; Owner: -
--



--
-- Data for Name: cluster_nodes; Type: TABLE DATA; Schema: legacy; Owner: -
--



--
-- Data for Name: devices; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.devices VALUES ('0000cafe', 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd', 'bangle2', NULL, 's2', 1700000000001, -1, NULL, NULL, -1);
INSERT INTO legacy.devices VALUES ('0000beef', 'abababababababababababababababab', 'puckjs', 'w1', 's1', 1700000000000, 3, 1700000003000, 77, 1);


--
-- Data for Name: escalations; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.escalations VALUES ('e1', 'a1', 's1', 'running', 'ladder', '[{"key": "ladder:c1:sms", "name": "Ann", "role": "ladder", "address": "+331", "channel": "sms", "timeoutS": 60, "contactId": "c1"}]', '[{"key": "b", "name": "Ann", "role": "supervisor", "address": "+331", "channel": "sms", "timeoutS": 60, "contactId": "c1"}]', 0, 0, true, 900, 0, 11, 11, NULL, NULL, '0000beef');


--
-- Data for Name: events; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.events VALUES ('0000beef', 2, 'heartbeat', 1700000002000, 'gw1', 's1', -71, 77, '{"lat": 48.85, "lon": 2.35, "kind": "gps"}', 0, 2, true);
INSERT INTO legacy.events VALUES ('0000beef', 3, 'heartbeat', 1700000003000, 'gw1', 's1', -71, 77, '{"lat": 48.85, "lon": 2.35, "kind": "gps"}', 0, 3, false);


--
-- Data for Name: floor_plans; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.floor_plans VALUES ('s1', 'G', 'image/png', 40.5, 20, '\x89504e4700ff', 6, 'user:admin');


--
-- Data for Name: live_overflow; Type: TABLE DATA; Schema: legacy; Owner: -
--



--
-- Data for Name: meta; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.meta VALUES ('registry_version', 14);


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.outbox VALUES ('m2', 'a1', '1001', 'e1', 1, 'b', 'email', 'ann@example.org', 'c1', 'Ann', 'SOS', 'SOS Wendy', NULL, NULL, 1, 'pending', 0, 3, 5000, NULL, NULL, 11, NULL, NULL, 2);
INSERT INTO legacy.outbox VALUES ('m1', 'a1', '1001', 'e1', 0, 'ladder:c1:sms', 'sms', '+331', 'c1', 'Ann', 'SOS', 'SOS Wendy', 'https://x/r/1', '{"alarm": "a1"}', 1, 'sent', 1, 3, 11, NULL, NULL, 11, 21, 'ok', 1);


--
-- Data for Name: pairing_codes; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.pairing_codes VALUES ('pc1', 'w1', 3, 'user:admin', 4000000000000, NULL);


--
-- Data for Name: positions; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.positions VALUES ('0000beef', 'w1', 50, 'gps', 48.85, 2.35, NULL, NULL, NULL);


--
-- Data for Name: registry; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.registry VALUES ('team', 't1', 's1', '{"id": "t1", "name": "Night shift", "siteId": "s1"}', 0);
INSERT INTO legacy.registry VALUES ('contact', 'c1', 's1', '{"id": "c1", "kind": "supervisor", "name": "Ann", "email": "ann@example.org", "phone": "+331", "siteId": "s1", "language": "fr", "webhookUrl": null}', 0);
INSERT INTO legacy.registry VALUES ('ladder', 'l1', NULL, '{"id": "l1", "name": "Day", "steps": [{"channel": "sms", "timeoutS": 60, "contactId": "c1"}], "fallback": null}', 0);
INSERT INTO legacy.registry VALUES ('gateway', 's1/gw1', 's1', '{"id": "s1/gw1", "name": "Hall", "online": true, "siteId": "s1", "gatewayId": "gw1", "heartbeatS": 30, "lastSeenAt": 9, "lastStatusAt": 9}', 0);


--
-- Data for Name: responder_tokens; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.responder_tokens VALUES ('rt1', 'a1', 'ladder:c1:sms', 'Ann', 'sms', '+331', 11, 4000000000000, NULL);


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.schema_version VALUES (1);
INSERT INTO legacy.schema_version VALUES (2);
INSERT INTO legacy.schema_version VALUES (3);


--
-- Data for Name: secrets; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.secrets VALUES ('session-key', '\x2a9cb141315a5b4c6c6c898f46754b6c0ab8b83be48af0a2acc3358e1e0f2fc5');


--
-- Data for Name: sites; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.sites VALUES ('s1', 'Plant', 'l1');
INSERT INTO legacy.sites VALUES ('s2', 'Depot', NULL);


--
-- Data for Name: stream_tickets; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.stream_tickets VALUES ('tick1', 'u2', 4000000000000);


--
-- Data for Name: users; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.users VALUES ('u1', 'sup', 'Sue', 'supervisor', 'scrypt$abc', '{"siteIds": ["s1"], "teamIds": ["t1"]}');
INSERT INTO legacy.users VALUES ('u2', 'op', 'Otto', 'operator', 'scrypt$def', NULL);


--
-- Data for Name: work_sessions; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.work_sessions VALUES ('sess1', 'w1', 'w1', '0000beef', 's1', 'timed', 'active', 100, 'user:op', 5000, 300, NULL, 600, 60, 700, NULL, NULL, 'roof', '+33611', '[{"name": "Porter", "phone": "+33622"}]', NULL, NULL, 100);


--
-- Data for Name: worker_credentials; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.worker_credentials VALUES ('w1', 'wendy', 'scrypt$w', 3, 'user:admin');


--
-- Data for Name: worker_logins; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.worker_logins VALUES ('wl1', 'w1', 'password', 3, 4000000000000);


--
-- Data for Name: workers; Type: TABLE DATA; Schema: legacy; Owner: -
--

INSERT INTO legacy.workers VALUES ('w1', 'Wendy', '+33600000001', 's1', NULL, 't1');
INSERT INTO legacy.workers VALUES ('w2', 'Walt', NULL, 's2', NULL, NULL);


--
-- Name: alarm_numbers; Type: SEQUENCE SET; Schema: legacy; Owner: -
--

SELECT pg_catalog.setval('legacy.alarm_numbers', 1002, true);


--
-- Name: attempts_seq_seq; Type: SEQUENCE SET; Schema: legacy; Owner: -
--

SELECT pg_catalog.setval('legacy.attempts_seq_seq', 1, true);


--
-- Name: audit_seq_seq; Type: SEQUENCE SET; Schema: legacy; Owner: -
--

SELECT pg_catalog.setval('legacy.audit_seq_seq', 5, true);


--
-- Name: live_overflow_seq_seq; Type: SEQUENCE SET; Schema: legacy; Owner: -
--

SELECT pg_catalog.setval('legacy.live_overflow_seq_seq', 1, false);


--
-- Name: outbox_seq_seq; Type: SEQUENCE SET; Schema: legacy; Owner: -
--

SELECT pg_catalog.setval('legacy.outbox_seq_seq', 2, true);


--
-- Name: alarms alarms_number_key; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.alarms
    ADD CONSTRAINT alarms_number_key UNIQUE (number);


--
-- Name: alarms alarms_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.alarms
    ADD CONSTRAINT alarms_pkey PRIMARY KEY (id);


--
-- Name: app_actions app_actions_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.app_actions
    ADD CONSTRAINT app_actions_pkey PRIMARY KEY (key);


--
-- Name: attempts attempts_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.attempts
    ADD CONSTRAINT attempts_pkey PRIMARY KEY (seq);


--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (seq);


--
-- Name: auth_sessions auth_sessions_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.auth_sessions
    ADD CONSTRAINT auth_sessions_pkey PRIMARY KEY (token_hash);


--
-- Name: cluster_leases cluster_leases_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.cluster_leases
    ADD CONSTRAINT cluster_leases_pkey PRIMARY KEY (bucket);


--
-- Name: cluster_nodes cluster_nodes_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.cluster_nodes
    ADD CONSTRAINT cluster_nodes_pkey PRIMARY KEY (id);


--
-- Name: devices devices_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.devices
    ADD CONSTRAINT devices_pkey PRIMARY KEY (id);


--
-- Name: escalations escalations_alarm_id_key; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.escalations
    ADD CONSTRAINT escalations_alarm_id_key UNIQUE (alarm_id);


--
-- Name: escalations escalations_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.escalations
    ADD CONSTRAINT escalations_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (device_id, counter);


--
-- Name: floor_plans floor_plans_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.floor_plans
    ADD CONSTRAINT floor_plans_pkey PRIMARY KEY (site_id, floor);


--
-- Name: live_overflow live_overflow_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.live_overflow
    ADD CONSTRAINT live_overflow_pkey PRIMARY KEY (seq);


--
-- Name: meta meta_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.meta
    ADD CONSTRAINT meta_pkey PRIMARY KEY (key);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: pairing_codes pairing_codes_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.pairing_codes
    ADD CONSTRAINT pairing_codes_pkey PRIMARY KEY (code_hash);


--
-- Name: registry registry_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.registry
    ADD CONSTRAINT registry_pkey PRIMARY KEY (kind, id);


--
-- Name: responder_tokens responder_tokens_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.responder_tokens
    ADD CONSTRAINT responder_tokens_pkey PRIMARY KEY (token_hash);


--
-- Name: secrets secrets_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.secrets
    ADD CONSTRAINT secrets_pkey PRIMARY KEY (name);


--
-- Name: sites sites_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.sites
    ADD CONSTRAINT sites_pkey PRIMARY KEY (id);


--
-- Name: stream_tickets stream_tickets_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.stream_tickets
    ADD CONSTRAINT stream_tickets_pkey PRIMARY KEY (ticket_hash);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: work_sessions work_sessions_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.work_sessions
    ADD CONSTRAINT work_sessions_pkey PRIMARY KEY (id);


--
-- Name: worker_credentials worker_credentials_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.worker_credentials
    ADD CONSTRAINT worker_credentials_pkey PRIMARY KEY (worker_id);


--
-- Name: worker_credentials worker_credentials_username_key; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.worker_credentials
    ADD CONSTRAINT worker_credentials_username_key UNIQUE (username);


--
-- Name: worker_logins worker_logins_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.worker_logins
    ADD CONSTRAINT worker_logins_pkey PRIMARY KEY (token_hash);


--
-- Name: workers workers_pkey; Type: CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.workers
    ADD CONSTRAINT workers_pkey PRIMARY KEY (id);


--
-- Name: alarms_created; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX alarms_created ON legacy.alarms USING btree (created_at);


--
-- Name: alarms_one_open; Type: INDEX; Schema: legacy; Owner: -
--

CREATE UNIQUE INDEX alarms_one_open ON legacy.alarms USING btree (subject, type) WHERE (state = ANY (ARRAY['pending'::text, 'raised'::text, 'acknowledged'::text]));


--
-- Name: alarms_open; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX alarms_open ON legacy.alarms USING btree (state, device_id);


--
-- Name: alarms_site_state; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX alarms_site_state ON legacy.alarms USING btree (site_id, state, type);


--
-- Name: alarms_subject; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX alarms_subject ON legacy.alarms USING btree (subject, type, state);


--
-- Name: alarms_worker_created; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX alarms_worker_created ON legacy.alarms USING btree (worker_id, created_at);


--
-- Name: app_actions_at; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX app_actions_at ON legacy.app_actions USING btree (at);


--
-- Name: attempts_alarm; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX attempts_alarm ON legacy.attempts USING btree (alarm_id, seq);


--
-- Name: attempts_at; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX attempts_at ON legacy.attempts USING btree (at);


--
-- Name: audit_entity; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX audit_entity ON legacy.audit USING btree (entity, entity_id, seq);


--
-- Name: devices_site; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX devices_site ON legacy.devices USING btree (site_id);


--
-- Name: devices_worker; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX devices_worker ON legacy.devices USING btree (worker_id);


--
-- Name: escalations_state; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX escalations_state ON legacy.escalations USING btree (state);


--
-- Name: events_received; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX events_received ON legacy.events USING btree (received_at);


--
-- Name: events_unhandled; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX events_unhandled ON legacy.events USING btree (received_at) WHERE (NOT handled);


--
-- Name: outbox_alarm; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX outbox_alarm ON legacy.outbox USING btree (alarm_id, created_at);


--
-- Name: outbox_due; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX outbox_due ON legacy.outbox USING btree (priority, next_attempt_at) WHERE (state = 'pending'::text);


--
-- Name: outbox_escalation; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX outbox_escalation ON legacy.outbox USING btree (escalation_id, state);


--
-- Name: outbox_reply; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX outbox_reply ON legacy.outbox USING btree (channel, recipient, created_at);


--
-- Name: outbox_sending; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX outbox_sending ON legacy.outbox USING btree (claimed_until) WHERE (state = 'sending'::text);


--
-- Name: positions_at; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX positions_at ON legacy.positions USING btree (at);


--
-- Name: positions_device; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX positions_device ON legacy.positions USING btree (device_id, at);


--
-- Name: registry_site; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX registry_site ON legacy.registry USING btree (kind, site_id);


--
-- Name: responder_tokens_alarm; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX responder_tokens_alarm ON legacy.responder_tokens USING btree (alarm_id);


--
-- Name: work_sessions_active; Type: INDEX; Schema: legacy; Owner: -
--

CREATE UNIQUE INDEX work_sessions_active ON legacy.work_sessions USING btree (owner) WHERE (state = 'active'::text);


--
-- Name: work_sessions_state; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX work_sessions_state ON legacy.work_sessions USING btree (state);


--
-- Name: work_sessions_worker; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX work_sessions_worker ON legacy.work_sessions USING btree (worker_id, started_at);


--
-- Name: worker_logins_worker; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX worker_logins_worker ON legacy.worker_logins USING btree (worker_id);


--
-- Name: workers_team; Type: INDEX; Schema: legacy; Owner: -
--

CREATE INDEX workers_team ON legacy.workers USING btree (team_id);


--
-- Name: attempts attempts_append_only; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER attempts_append_only BEFORE UPDATE ON legacy.attempts FOR EACH ROW EXECUTE FUNCTION legacy.vigil_append_only();


--
-- Name: audit audit_append_only; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER audit_append_only BEFORE DELETE OR UPDATE ON legacy.audit FOR EACH ROW EXECUTE FUNCTION legacy.vigil_append_only();


--
-- Name: devices devices_v; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER devices_v AFTER INSERT OR DELETE ON legacy.devices FOR EACH STATEMENT EXECUTE FUNCTION legacy.vigil_registry_bump();


--
-- Name: devices devices_v_upd; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER devices_v_upd AFTER UPDATE OF key, board, site_id, worker_id ON legacy.devices FOR EACH STATEMENT EXECUTE FUNCTION legacy.vigil_registry_bump();


--
-- Name: registry registry_v_delete; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER registry_v_delete AFTER DELETE ON legacy.registry FOR EACH ROW WHEN ((old.kind <> 'gateway'::text)) EXECUTE FUNCTION legacy.vigil_registry_bump();


--
-- Name: registry registry_v_write; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER registry_v_write AFTER INSERT OR UPDATE ON legacy.registry FOR EACH ROW WHEN ((new.kind <> 'gateway'::text)) EXECUTE FUNCTION legacy.vigil_registry_bump();


--
-- Name: sites sites_v; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER sites_v AFTER INSERT OR DELETE OR UPDATE ON legacy.sites FOR EACH STATEMENT EXECUTE FUNCTION legacy.vigil_registry_bump();


--
-- Name: workers workers_v; Type: TRIGGER; Schema: legacy; Owner: -
--

CREATE TRIGGER workers_v AFTER INSERT OR DELETE OR UPDATE ON legacy.workers FOR EACH STATEMENT EXECUTE FUNCTION legacy.vigil_registry_bump();


--
-- Name: auth_sessions auth_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.auth_sessions
    ADD CONSTRAINT auth_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES legacy.users(id);


--
-- Name: devices devices_site_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.devices
    ADD CONSTRAINT devices_site_id_fkey FOREIGN KEY (site_id) REFERENCES legacy.sites(id);


--
-- Name: devices devices_worker_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.devices
    ADD CONSTRAINT devices_worker_id_fkey FOREIGN KEY (worker_id) REFERENCES legacy.workers(id);


--
-- Name: floor_plans floor_plans_site_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.floor_plans
    ADD CONSTRAINT floor_plans_site_id_fkey FOREIGN KEY (site_id) REFERENCES legacy.sites(id) ON DELETE CASCADE;


--
-- Name: pairing_codes pairing_codes_worker_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.pairing_codes
    ADD CONSTRAINT pairing_codes_worker_id_fkey FOREIGN KEY (worker_id) REFERENCES legacy.workers(id) ON DELETE CASCADE;


--
-- Name: worker_credentials worker_credentials_worker_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.worker_credentials
    ADD CONSTRAINT worker_credentials_worker_id_fkey FOREIGN KEY (worker_id) REFERENCES legacy.workers(id) ON DELETE CASCADE;


--
-- Name: worker_logins worker_logins_worker_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.worker_logins
    ADD CONSTRAINT worker_logins_worker_id_fkey FOREIGN KEY (worker_id) REFERENCES legacy.workers(id) ON DELETE CASCADE;


--
-- Name: workers workers_site_id_fkey; Type: FK CONSTRAINT; Schema: legacy; Owner: -
--

ALTER TABLE ONLY legacy.workers
    ADD CONSTRAINT workers_site_id_fkey FOREIGN KEY (site_id) REFERENCES legacy.sites(id);


--
-- PostgreSQL database dump complete
--

\unrestrict CNeEzLCEdRL8nBuZa79FIAPKyZkjHC3m2N8DzEB79PNQCAl7NXeAN5Ofds6cutY

