-- pgvector must exist before any table with a vector column. The server also runs this itself
-- before migrating, to turn a missing extension into an actionable message (db/migrate.ts).
CREATE EXTENSION IF NOT EXISTS vector;
