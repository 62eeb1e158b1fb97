-- The PostgreSQL mail queue's schema (PGPMailPostgres), for applications that run their own
-- migration tool instead of calling PostgresMailQueue.migrate(). Exactly what migrate() runs
-- for the default table name; for another name, use PostgresMailQueue.schemaSQL(table:).
-- Every statement is idempotent. A test keeps this file equal to schemaSQL(table:).
--
-- state: queued -> claimed -> (deleted) | sent (keep) | failed; claimed -> queued on retry or
-- when the lease (owner, lease_expiry) expires. possibly_delivered: an attempt may have
-- delivered the message (connection lost after the final dot, or a worker that died holding it).
CREATE TABLE IF NOT EXISTS "pgpmail_queue" (
    id                 text PRIMARY KEY,
    idempotency_key    text UNIQUE,
    state              text NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'claimed', 'sent', 'failed')),
    entry              bytea NOT NULL,
    sender             text NOT NULL,
    recipient_count    integer NOT NULL,
    attempts           integer NOT NULL DEFAULT 0,
    enqueued_at        timestamptz NOT NULL DEFAULT now(),
    not_before         timestamptz NOT NULL DEFAULT now(),
    owner              text,
    lease_expiry       timestamptz,
    last_error         text,
    possibly_delivered boolean NOT NULL DEFAULT false,
    finished_at        timestamptz
);
CREATE INDEX IF NOT EXISTS "pgpmail_queue_due" ON "pgpmail_queue" (id) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS "pgpmail_queue_leases" ON "pgpmail_queue" (lease_expiry) WHERE state = 'claimed';
