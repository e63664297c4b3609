import type Database from 'better-sqlite3';

/** Bump when the schema changes; `migrate` refuses to open a newer store than it understands. */
export const SCHEMA_VERSION = 5;

const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS anime (
  anime_id       INTEGER PRIMARY KEY,
  title          TEXT NOT NULL,
  title_english  TEXT,
  title_japanese TEXT,
  synonyms       TEXT NOT NULL DEFAULT '[]',
  format         TEXT,
  episodes       INTEGER,
  status         TEXT,
  year           INTEGER,
  season         TEXT,
  genres         TEXT NOT NULL DEFAULT '[]',
  themes         TEXT NOT NULL DEFAULT '[]',
  demographics   TEXT NOT NULL DEFAULT '[]',
  studios        TEXT NOT NULL DEFAULT '[]',
  source         TEXT,
  age_rating     TEXT,
  adult          INTEGER NOT NULL DEFAULT 0,
  mal_score      REAL,
  members        INTEGER,
  synopsis       TEXT,
  picture_url    TEXT,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
  user_id     INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  UNIQUE (source, external_id)
);

-- One row per (user, title). WITHOUT ROWID keeps rows clustered by user, which is the order both
-- training (scan everything) and serving (one user's list) read them in.
CREATE TABLE IF NOT EXISTS interactions (
  user_id    INTEGER NOT NULL,
  anime_id   INTEGER NOT NULL,
  score      INTEGER,
  status     INTEGER,
  updated_at INTEGER,
  PRIMARY KEY (user_id, anime_id)
) WITHOUT ROWID;
`;

/**
 * v2 (operations): prediction monitoring. Only new tables, so a v1 store upgrades in place on
 * open and its existing rows are untouched.
 */
const SCHEMA_V2 = `
-- One row per monitored event: the production model's view of a title before the user scored it.
CREATE TABLE IF NOT EXISTS monitor_predictions (
  user_id         INTEGER NOT NULL,
  anime_id        INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  day             TEXT NOT NULL,
  model_version   TEXT NOT NULL,
  actual_score    INTEGER NOT NULL,
  predicted_score REAL,
  rank            INTEGER NOT NULL,
  candidates      INTEGER NOT NULL,
  hit             INTEGER NOT NULL,
  PRIMARY KEY (user_id, anime_id, updated_at)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS monitor_predictions_day ON monitor_predictions (day);

-- Per-day aggregates (recomputed from monitor_predictions when a day gains rows) and the drift flag.
CREATE TABLE IF NOT EXISTS monitor_daily (
  day           TEXT NOT NULL,
  model_version TEXT NOT NULL,
  count         INTEGER NOT NULL,
  scored        INTEGER NOT NULL,
  mae           REAL,
  rmse          REAL,
  hit_rate      REAL NOT NULL,
  mean_rank     REAL NOT NULL,
  drift         INTEGER NOT NULL,
  drift_reason  TEXT,
  computed_at   TEXT NOT NULL,
  PRIMARY KEY (day, model_version)
);
`;

/**
 * v3: known users' rankings precomputed per model (`anirec precompute`), so the API answers a
 * known user without scoring their list. Only a new table: older stores upgrade in place.
 */
const SCHEMA_V3 = `
CREATE TABLE IF NOT EXISTS user_rankings (
  model_key   TEXT NOT NULL,
  user_id     INTEGER NOT NULL,
  -- Hash of the list the ranking was computed from: a changed list no longer matches.
  list_key    TEXT NOT NULL,
  -- Best first: anime ids as little-endian int32, scores as float32.
  anime_ids   BLOB NOT NULL,
  scores      BLOB NOT NULL,
  computed_at TEXT NOT NULL,
  PRIMARY KEY (model_key, user_id)
) WITHOUT ROWID;
`;

/**
 * v4: entries of a person's own list (a MAL export) for titles the catalogue does not have yet.
 * Uploads never create catalogue titles; these rows become interactions when a catalogue import
 * or ingestion adds the title. Only a new table: older stores upgrade in place.
 */
const SCHEMA_V4 = `
CREATE TABLE IF NOT EXISTS pending_interactions (
  user_id    INTEGER NOT NULL,
  anime_id   INTEGER NOT NULL,
  score      INTEGER,
  status     INTEGER,
  updated_at INTEGER,
  added_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, anime_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_interactions_anime ON pending_interactions (anime_id);
`;

/**
 * v5: relations between titles from catalogue sources (AniList), one row per direction the source
 * lists. An end need not be in the catalogue yet: a crawl often reaches a title before its sequel,
 * and the relation counts once the sequel arrives (the store filters on read). The relation is
 * MAL's name as text (RelationType). Only a new table: older stores upgrade in place.
 */
const SCHEMA_V5 = `
CREATE TABLE IF NOT EXISTS anime_relations (
  anime_id   INTEGER NOT NULL,
  related_id INTEGER NOT NULL,
  relation   TEXT NOT NULL,
  PRIMARY KEY (anime_id, related_id, relation)
) WITHOUT ROWID;
`;

/** Every schema step after v1, in order; each is idempotent (CREATE … IF NOT EXISTS). */
const UPGRADES = [SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5];

export function migrate(db: Database.Database): void {
  db.exec(SCHEMA_V1);
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
  if (row === undefined) {
    for (const step of UPGRADES) db.exec(step);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
    return;
  }
  const found = Number(row.value);
  if (found < SCHEMA_VERSION) {
    for (const step of UPGRADES) db.exec(step);
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SCHEMA_VERSION));
    return;
  }
  if (found > SCHEMA_VERSION) {
    throw new Error(
      `This store was written by a newer anirec (schema ${found}; this version understands ${SCHEMA_VERSION}). ` +
        'Upgrade anirec, or point --db at another file.',
    );
  }
}
