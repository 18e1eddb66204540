-- The last transitions of each topic, for the inspector: where a topic was before each state change,
-- and which event moved it. Written in the transaction that persists the new snapshot.
CREATE TABLE topic_transitions (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  topic_key  TEXT    NOT NULL,
  at         INTEGER NOT NULL,            -- ms since epoch
  event_type TEXT    NOT NULL,            -- the event that caused the transition ('' when unknown)
  from_state TEXT    NOT NULL,            -- dotted state path before, e.g. running.engine
  to_state   TEXT    NOT NULL,            -- dotted state path after
  snapshot   TEXT    NOT NULL             -- the persisted snapshot the topic had before the transition (JSON)
) STRICT;
CREATE INDEX topic_transitions_topic ON topic_transitions (topic_key, id);

-- A topic keeps its latest 50 transitions: history is for looking back at a stuck topic, not an audit log.
CREATE TRIGGER topic_transitions_keep_last AFTER INSERT ON topic_transitions
BEGIN
  DELETE FROM topic_transitions
  WHERE topic_key = NEW.topic_key
    AND id <= (SELECT id FROM topic_transitions WHERE topic_key = NEW.topic_key ORDER BY id DESC LIMIT 1 OFFSET 50);
END;
