-- Append-only record of credential rotations, role bootstraps, migrations and
-- imports: who, what, when, outcome. Never a secret: `detail` holds names,
-- counts and error summaries only.

CREATE TABLE IF NOT EXISTS audit_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    -- The database role that did it, and the operating-system user and host
    -- that ran `rates`.
    db_role    text        NOT NULL DEFAULT session_user,
    os_user    text,
    host       text,
    action     text        NOT NULL,   -- rotate, bootstrap, migrate, import
    target     text,                   -- the role, store or files acted on
    outcome    text        NOT NULL CHECK (outcome IN ('success', 'failure')),
    detail     jsonb       NOT NULL DEFAULT '{}'
);

CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log (at);

-- Append-only, even for the table's owner: rows cannot be changed or removed
-- (a superuser can still drop the triggers, and pgaudit logs that).
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
