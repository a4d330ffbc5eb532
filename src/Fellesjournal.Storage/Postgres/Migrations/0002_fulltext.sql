-- Full-text index for _text/_content: word vectors ('simple' configuration: no stemming, no stop words; the text is
-- already lower-cased and accent-folded by the server) of the current versions only, like the index tables.
-- See docs/decisions/0010-full-text-search.md.
CREATE TABLE fts_text (
  seq bigint PRIMARY KEY,
  narrative tsvector NOT NULL,
  content tsvector NOT NULL
);
CREATE INDEX ix_fts_narrative ON fts_text USING gin (narrative);
CREATE INDEX ix_fts_content ON fts_text USING gin (content);

-- Work the server does after migrating (the text of existing resources needs the server's extraction):
-- a row stays until the task has committed.
CREATE TABLE IF NOT EXISTS store_task (name text PRIMARY KEY);
INSERT INTO store_task (name) VALUES ('fulltext_backfill');
