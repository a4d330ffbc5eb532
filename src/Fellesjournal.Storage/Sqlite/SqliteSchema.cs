namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// The SQLite schema. <c>resource_version</c> holds every version; the current one is found by an index
/// seek, and <c>is_current</c> marks it for search. lastUpdated grows with <c>seq</c> (the writer's clock is
/// monotonic), so time ranges become <c>seq</c> ranges found by binary search over the primary key and no
/// time index is needed: every index costs on the import path. Index tables hold rows for current versions only (rows of the
/// previous version are deleted when a new one is written), clustered by <c>seq</c> (the version row) so
/// bulk inserts append; <c>h_ident</c> = hash(resourceType, param) and the other hashes serve equality lookups.
/// <c>patient_id</c> is the patient-compartment key (future distribution key for PostgreSQL).
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 4;

    /// <summary>From version 4 the index tables also hold the values of contained resources (<see cref="IndexRows"/>);
    /// an older database is backfilled once when it is opened.</summary>
    public const int ContainedSinceVersion = 4;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE IF NOT EXISTS resource_version (
          seq INTEGER PRIMARY KEY,
          res_type TEXT NOT NULL,
          res_id TEXT NOT NULL,
          version INTEGER NOT NULL,
          last_updated INTEGER NOT NULL,   -- unix milliseconds, UTC
          deleted INTEGER NOT NULL,
          is_current INTEGER NOT NULL,
          patient_id TEXT,
          json_len INTEGER NOT NULL,       -- uncompressed length
          json BLOB                        -- compressed JSON (JsonCodec: LZ4, or Brotli in older rows), null for a tombstone
        );
        -- The current version is the highest: one seek on ux_rv_version (ORDER BY version DESC LIMIT 1).
        CREATE UNIQUE INDEX IF NOT EXISTS ux_rv_version ON resource_version(res_type, res_id, version);
        -- Type history and type-wide search; system history walks the primary key.
        CREATE INDEX IF NOT EXISTS ix_rv_type ON resource_version(res_type, seq);
        -- Searches under an explicit set of compartments (citizens, a named patient): one seek per compartment and
        -- type instead of a scan of the type. Partial: only current rows are searched. Version 3; every open runs
        -- this script, so existing databases get the index on their next start.
        CREATE INDEX IF NOT EXISTS ix_rv_patient ON resource_version(patient_id, res_type, seq) WHERE is_current = 1 AND deleted = 0;

        CREATE TABLE IF NOT EXISTS idx_string (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          norm TEXT NOT NULL, exact TEXT NOT NULL,
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_string ON idx_string(h_ident, norm);

        CREATE TABLE IF NOT EXISTS idx_token (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          h_sys_code INTEGER NOT NULL, system TEXT, code TEXT, text TEXT,
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_token_code ON idx_token(h_ident, code);

        CREATE TABLE IF NOT EXISTS idx_date (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          low INTEGER NOT NULL, high INTEGER NOT NULL,  -- unix ms, high exclusive
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_date ON idx_date(h_ident, low, high);

        CREATE TABLE IF NOT EXISTS idx_number (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          value REAL NOT NULL,
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_number ON idx_number(h_ident, value);

        CREATE TABLE IF NOT EXISTS idx_quantity (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          value REAL NOT NULL, system TEXT, code TEXT, unit TEXT,
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_quantity ON idx_quantity(h_ident, value);

        CREATE TABLE IF NOT EXISTS idx_reference (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          target_type TEXT, target_id TEXT NOT NULL, base_url TEXT,
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_reference ON idx_reference(h_ident, target_id);

        CREATE TABLE IF NOT EXISTS idx_uri (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          uri TEXT NOT NULL,
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_uri ON idx_uri(h_ident, uri);

        CREATE TABLE IF NOT EXISTS idx_composite (
          seq INTEGER NOT NULL, ord INTEGER NOT NULL, patient_id TEXT, h_ident INTEGER NOT NULL,
          h_value INTEGER NOT NULL, components TEXT NOT NULL,   -- h_value: hash of the components' keys
          PRIMARY KEY (seq, ord)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_composite ON idx_composite(h_ident, h_value);
        """;

    public static readonly string[] IndexTables =
        ["idx_string", "idx_token", "idx_date", "idx_number", "idx_quantity", "idx_reference", "idx_uri", "idx_composite"];
}
