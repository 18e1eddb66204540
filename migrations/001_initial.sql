-- The tables of the durability contract (DESIGN §3).

-- Intake ledger: every update from getUpdates, stored with the new offset in one transaction
-- before getUpdates acknowledges it. A row is consumed in the same transaction that persists the
-- state change it caused.
CREATE TABLE inbox (
  update_id   INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,           -- ms since epoch, when tentacle stored it
  sent_at     INTEGER,                    -- ms since epoch, Telegram's message date when known
  payload     TEXT    NOT NULL,           -- the update as JSON
  status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'consumed', 'skipped')),
  consumed_at INTEGER
) STRICT;
CREATE INDEX inbox_pending ON inbox (status, update_id) WHERE status = 'pending';

-- Small facts that survive restarts: the getUpdates offset, the command-menu hash, the startup cwd.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One persisted XState snapshot per topic actor, written on every state change.
CREATE TABLE topics (
  topic_key       TEXT    PRIMARY KEY,    -- tg:<chat>[:<thread>|:u<user>|:m<message>]
  chat_id         INTEGER NOT NULL,
  machine_version INTEGER NOT NULL,
  state           TEXT    NOT NULL,       -- the state value, for status queries without parsing
  snapshot        TEXT    NOT NULL,       -- XState persisted snapshot as JSON
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX topics_state ON topics (state);

-- Every engine run: what was asked, where, by which process, and how it ended.
CREATE TABLE runs (
  run_id              TEXT    PRIMARY KEY,
  topic_key           TEXT    NOT NULL,
  chat_id             INTEGER NOT NULL,
  thread_id           INTEGER,
  user_message_id     INTEGER,
  progress_message_id INTEGER,
  engine              TEXT    NOT NULL,
  resume_token        TEXT,
  cwd                 TEXT,
  prompt              TEXT    NOT NULL,
  job                 TEXT,               -- the queued job as JSON: enough to run it again after a restart
  pid                 INTEGER,
  pid_start_time      TEXT,               -- /proc start time, so a reused pid is never signalled
  boot_id             TEXT,
  status              TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  created_at          INTEGER NOT NULL,
  started_at          INTEGER,
  ended_at            INTEGER
) STRICT;
CREATE INDEX runs_topic ON runs (topic_key, created_at);
CREATE INDEX runs_active ON runs (status) WHERE status IN ('queued', 'running');
CREATE INDEX runs_message ON runs (chat_id, progress_message_id);

-- Engine sessions: which topic owns engine:token (stateless lanes join it) and the session's cwd
-- (opencode and pi must resume in the directory the session was created in).
CREATE TABLE sessions (
  engine     TEXT    NOT NULL,
  token      TEXT    NOT NULL,
  topic_key  TEXT    NOT NULL,
  cwd        TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (engine, token)
) STRICT;
CREATE INDEX sessions_topic ON sessions (topic_key);

-- Per chat or per topic preferences and bindings (/agent, /model, /reasoning, /trigger, /ctx, /topic).
CREATE TABLE prefs (
  scope_key  TEXT    PRIMARY KEY,         -- tg:<chat> or tg:<chat>:<thread>
  data       TEXT    NOT NULL,            -- JSON object
  updated_at INTEGER NOT NULL
) STRICT;

-- Durable outbox: final, error, cancelled and interrupted messages, written in the same transaction
-- as the transition that produced them and deleted only once Telegram accepted them.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  topic_key       TEXT    NOT NULL,
  chat_id         INTEGER NOT NULL,
  kind            TEXT    NOT NULL,
  payload         TEXT    NOT NULL,       -- JSON: what to send, and what to do with the progress message
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id);
