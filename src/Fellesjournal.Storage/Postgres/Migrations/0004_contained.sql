-- Contained resources are indexed (docs/decisions/0030-contained-resources-in-the-index.md): their values live in the
-- existing index tables under the container's seq, in ord blocks below zero, so no table changes. Versions written
-- before this migration get their contained resources' rows from the server's backfill (it needs the server's
-- extraction); the row stays until that work has committed.
INSERT INTO store_task (name) VALUES ('contained_backfill') ON CONFLICT DO NOTHING;
