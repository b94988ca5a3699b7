-- Read-only role for analysts who query stancewatch's database directly
-- (the stable interface is the view article_labels; see docs/schema.md).
--
-- Run it in the stancewatch database after `stancewatch migrate`:
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/sql/analyst_role.sql
--
-- Who runs it: the role that runs the migrations (it owns the tables and
-- may grant on them), or a superuser. CREATE ROLE needs CREATEROLE; if
-- the migration role lacks it, have an administrator create the role and
-- run the script as the migration role afterwards (the CREATE is skipped).
--
-- Default privileges (the grant on tables created by later migrations)
-- apply only to objects created by the role they are defined FOR. This
-- script defines them for the owner of the existing tables, which is the
-- role that runs migrations, so tables added by upgrades are readable too;
-- if a different role runs migrations later, run this script again.
--
-- Safe to run again: the role is created only when missing, grants are
-- idempotent, and nothing is revoked.

\set ON_ERROR_STOP on

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stancewatch_analyst') THEN
        CREATE ROLE stancewatch_analyst NOLOGIN;
    END IF;
END
$$;

COMMENT ON ROLE stancewatch_analyst IS 'Read-only access to the stancewatch schema (SELECT on tables and views). Grant it to LOGIN users.';

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO stancewatch_analyst', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO stancewatch_analyst;

-- Every table and view there is now, the view article_labels included.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO stancewatch_analyst;
GRANT SELECT ON article_labels TO stancewatch_analyst;

-- Tables and views that later migrations create, as the owner of feeds.
DO $$
DECLARE
    owner name;
BEGIN
    SELECT tableowner INTO owner
    FROM pg_tables
    WHERE schemaname = 'public' AND tablename = 'feeds';
    IF owner IS NULL THEN
        RAISE EXCEPTION 'table public.feeds not found: run `stancewatch migrate` on this database first';
    END IF;
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES TO stancewatch_analyst', owner);
END
$$;

-- A person's login, granted the role (run as a role with CREATEROLE;
-- pick the password outside version control):
--
--   CREATE ROLE alice LOGIN PASSWORD 'choose-one' IN ROLE stancewatch_analyst;
--   -- or, for an existing login:
--   GRANT stancewatch_analyst TO alice;
--   -- optional: stop runaway queries from that login
--   ALTER ROLE alice SET statement_timeout = '5min';
