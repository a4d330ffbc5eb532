-- Fellesjournal PostgreSQL schema, version 1. Mirrors the SQLite schema (docs/decisions/0002) column for
-- column so the same search SQL fragments run on both. Text columns use the "C" collation: comparisons are
-- by bytes, as in SQLite, so prefix ranges (>= v AND < v || U+10FFFF) behave identically.
-- patient_id is the patient-compartment key ('' outside any compartment) and is part of every primary and
-- unique key, so each table can be distributed by it (Citus create_distributed_table); see docs/scale.md.

CREATE TABLE resource_version (
  seq bigint NOT NULL,               -- global write order; lastUpdated grows with it
  patient_id text COLLATE "C" NOT NULL,
  res_type text COLLATE "C" NOT NULL,
  res_id text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  last_updated bigint NOT NULL,      -- unix milliseconds, UTC
  deleted smallint NOT NULL,
  is_current smallint NOT NULL,
  json_len integer NOT NULL,         -- uncompressed length
  json bytea,                        -- Brotli-compressed JSON, null for a tombstone
  PRIMARY KEY (seq, patient_id)
);
CREATE UNIQUE INDEX ux_rv_version ON resource_version (res_type, res_id, version, patient_id);
-- Type-wide search and type history over current rows only (partial: superseded versions cost nothing here).
CREATE INDEX ix_rv_current ON resource_version (res_type, seq) WHERE is_current = 1 AND deleted = 0;
CREATE INDEX ix_rv_type ON resource_version (res_type, seq);

CREATE TABLE idx_string (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  norm text COLLATE "C" NOT NULL, exact text COLLATE "C" NOT NULL,
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_string ON idx_string (h_ident, norm);

CREATE TABLE idx_token (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  h_sys_code bigint NOT NULL, system text COLLATE "C", code text COLLATE "C", text text COLLATE "C",
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_token_code ON idx_token (h_ident, code);

CREATE TABLE idx_date (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  low bigint NOT NULL, high bigint NOT NULL,  -- unix ms, high exclusive
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_date ON idx_date (h_ident, low, high);

CREATE TABLE idx_number (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_number ON idx_number (h_ident, value);

CREATE TABLE idx_quantity (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  value double precision NOT NULL, system text COLLATE "C", code text COLLATE "C", unit text COLLATE "C",
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_quantity ON idx_quantity (h_ident, value);

CREATE TABLE idx_reference (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  target_type text COLLATE "C", target_id text COLLATE "C" NOT NULL, base_url text COLLATE "C",
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_reference ON idx_reference (h_ident, target_id);

CREATE TABLE idx_uri (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  uri text COLLATE "C" NOT NULL,
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_uri ON idx_uri (h_ident, uri);

CREATE TABLE idx_composite (
  seq bigint NOT NULL, ord integer NOT NULL, patient_id text COLLATE "C" NOT NULL, h_ident bigint NOT NULL,
  h_value bigint NOT NULL, components text COLLATE "C" NOT NULL,
  PRIMARY KEY (seq, ord, patient_id));
CREATE INDEX ix_composite ON idx_composite (h_ident, h_value);
