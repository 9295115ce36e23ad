-- The schema of the public Xeneta sample dumps.
--
-- `IF NOT EXISTS` and the guarded constraint blocks make this safe on a database
-- that was loaded from one of those dumps with psql: the tables and constraints
-- are already there (with the same default names), only without our additions.

CREATE TABLE IF NOT EXISTS regions (
    slug        text NOT NULL,
    name        text NOT NULL,
    parent_slug text
);

CREATE TABLE IF NOT EXISTS ports (
    code        text NOT NULL,
    name        text NOT NULL,
    parent_slug text NOT NULL
);

CREATE TABLE IF NOT EXISTS prices (
    orig_code text    NOT NULL,
    dest_code text    NOT NULL,
    day       date    NOT NULL,
    price     integer NOT NULL
);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'regions_pkey') THEN
        ALTER TABLE regions ADD CONSTRAINT regions_pkey PRIMARY KEY (slug);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'ports_pkey') THEN
        ALTER TABLE ports ADD CONSTRAINT ports_pkey PRIMARY KEY (code);
    END IF;

    -- Foreign keys are DEFERRABLE so that a bulk import can load the tables in
    -- the order a dump has them (ports, prices, regions) and be checked at commit.
    -- The dumps create them non-deferrable: recreate those.
    ALTER TABLE regions DROP CONSTRAINT IF EXISTS regions_parent_slug_fkey;
    ALTER TABLE regions ADD CONSTRAINT regions_parent_slug_fkey
        FOREIGN KEY (parent_slug) REFERENCES regions (slug) DEFERRABLE INITIALLY IMMEDIATE;
    ALTER TABLE ports DROP CONSTRAINT IF EXISTS ports_parent_slug_fkey;
    ALTER TABLE ports ADD CONSTRAINT ports_parent_slug_fkey
        FOREIGN KEY (parent_slug) REFERENCES regions (slug) DEFERRABLE INITIALLY IMMEDIATE;
    ALTER TABLE prices DROP CONSTRAINT IF EXISTS prices_orig_code_fkey;
    ALTER TABLE prices ADD CONSTRAINT prices_orig_code_fkey
        FOREIGN KEY (orig_code) REFERENCES ports (code) DEFERRABLE INITIALLY IMMEDIATE;
    ALTER TABLE prices DROP CONSTRAINT IF EXISTS prices_dest_code_fkey;
    ALTER TABLE prices ADD CONSTRAINT prices_dest_code_fkey
        FOREIGN KEY (dest_code) REFERENCES ports (code) DEFERRABLE INITIALLY IMMEDIATE;
END
$$;
