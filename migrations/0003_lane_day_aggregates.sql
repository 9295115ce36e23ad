-- Daily sums and counts per lane, kept exact by triggers, so the API can hold
-- them in memory and follow every committed change incrementally.
--
-- `version` is the id of the transaction that last changed the row. A reader
-- that fetched rows with `version >= h` in a statement whose snapshot xmin was
-- `x` has seen every transaction below `x`; asking next time for
-- `version >= x` cannot miss a commit, whatever order transactions commit in.

CREATE TABLE IF NOT EXISTS lane_days (
    orig_code text    NOT NULL,
    dest_code text    NOT NULL,
    day       date    NOT NULL,
    n         bigint  NOT NULL,  -- number of prices
    total     bigint  NOT NULL,  -- their sum (exact)
    version   bigint  NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    PRIMARY KEY (orig_code, dest_code, day)
);

CREATE INDEX IF NOT EXISTS lane_days_version_idx ON lane_days (version);

-- Reference data changes are rare and small: readers reload it whole when
-- this version moves.
CREATE TABLE IF NOT EXISTS data_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    reference bigint  NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)
);
INSERT INTO data_version DEFAULT VALUES ON CONFLICT DO NOTHING;

-- Existing prices (a dump loaded with psql, or an earlier version's data).
INSERT INTO lane_days (orig_code, dest_code, day, n, total)
SELECT orig_code, dest_code, day, count(*), sum(price)
  FROM prices
 GROUP BY orig_code, dest_code, day
ON CONFLICT DO NOTHING;

-- Folds a statement's inserted and deleted rows into lane_days. A transition
-- table exists only for the operations that have it, so the source query is
-- chosen per operation (EXECUTE sees the trigger's transition tables).
CREATE OR REPLACE FUNCTION prices_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    added   constant text := 'SELECT orig_code, dest_code, day, price, 1 AS sign FROM new_prices';
    removed constant text := 'SELECT orig_code, dest_code, day, price, -1 AS sign FROM old_prices';
    delta   text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE lane_days SET n = 0, total = 0, version = DEFAULT WHERE n <> 0;
    ELSE
        delta := CASE TG_OP
                     WHEN 'INSERT' THEN added
                     WHEN 'DELETE' THEN removed
                     ELSE added || ' UNION ALL ' || removed
                 END;
        EXECUTE format(
            'INSERT INTO lane_days AS l (orig_code, dest_code, day, n, total)
             SELECT orig_code, dest_code, day, sum(sign), sum(sign * price)
               FROM (%s) AS delta
              GROUP BY orig_code, dest_code, day
             ON CONFLICT (orig_code, dest_code, day) DO UPDATE
                SET n = l.n + excluded.n,
                    total = l.total + excluded.total,
                    version = excluded.version', delta);
    END IF;
    -- Delivered at commit, to every listening replica.
    PERFORM pg_notify('rates_changed', 'prices');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS prices_insert_aggregates ON prices;
CREATE TRIGGER prices_insert_aggregates AFTER INSERT ON prices
    REFERENCING NEW TABLE AS new_prices
    FOR EACH STATEMENT EXECUTE FUNCTION prices_changed();
DROP TRIGGER IF EXISTS prices_update_aggregates ON prices;
CREATE TRIGGER prices_update_aggregates AFTER UPDATE ON prices
    REFERENCING OLD TABLE AS old_prices NEW TABLE AS new_prices
    FOR EACH STATEMENT EXECUTE FUNCTION prices_changed();
DROP TRIGGER IF EXISTS prices_delete_aggregates ON prices;
CREATE TRIGGER prices_delete_aggregates AFTER DELETE ON prices
    REFERENCING OLD TABLE AS old_prices
    FOR EACH STATEMENT EXECUTE FUNCTION prices_changed();
DROP TRIGGER IF EXISTS prices_truncate_aggregates ON prices;
CREATE TRIGGER prices_truncate_aggregates AFTER TRUNCATE ON prices
    FOR EACH STATEMENT EXECUTE FUNCTION prices_changed();

CREATE OR REPLACE FUNCTION reference_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET reference = DEFAULT;
    PERFORM pg_notify('rates_changed', 'reference');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS ports_changed ON ports;
CREATE TRIGGER ports_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ports
    FOR EACH STATEMENT EXECUTE FUNCTION reference_changed();
DROP TRIGGER IF EXISTS regions_changed ON regions;
CREATE TRIGGER regions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION reference_changed();
