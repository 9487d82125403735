-- V17__user_org_not_null.sql: NOT NULL without downtime for public."user".organization_id
-- The PostgreSQL 12 to 17 sequence (planned on 15.20); it runs on 18 as well.
-- Runs outside a transaction (see V17__user_org_not_null.sql.conf): each DO block below is one short
-- transaction with lock_timeout 50ms, retried with backoff while the table is busy, for up to 10min.
-- Idempotent: if a run fails part-way, run Flyway again and it finishes the job.

-- Step 1 of 6: add CHECK (organization_id IS NOT NULL) NOT VALID
-- Lock: ACCESS EXCLUSIVE; brief, no table scan
DO $cutover$
DECLARE
    attempt integer := 0;
    give_up timestamptz := clock_timestamp() + interval '10min';
BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    LOOP
        BEGIN
            ALTER TABLE "public"."user" ADD CONSTRAINT "user_organization_id_cutover_not_null" CHECK ("organization_id" IS NOT NULL) NOT VALID;
            EXIT;
        EXCEPTION
            WHEN duplicate_object THEN
                EXIT;
            WHEN lock_not_available OR deadlock_detected THEN
                IF clock_timestamp() > give_up THEN
                    RAISE;
                END IF;
                attempt := attempt + 1;
                PERFORM pg_sleep(least(2.0, 0.05 * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));
        END;
    END LOOP;
END
$cutover$;

-- Step 2 of 6: validate CHECK constraint user_organization_id_cutover_not_null
-- Lock: SHARE UPDATE EXCLUSIVE; scans the table while reads and writes go on
DO $cutover$
DECLARE
    attempt integer := 0;
    give_up timestamptz := clock_timestamp() + interval '10min';
BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    LOOP
        BEGIN
            ALTER TABLE "public"."user" VALIDATE CONSTRAINT "user_organization_id_cutover_not_null";
            EXIT;
        EXCEPTION
            WHEN lock_not_available OR deadlock_detected THEN
                IF clock_timestamp() > give_up THEN
                    RAISE;
                END IF;
                attempt := attempt + 1;
                PERFORM pg_sleep(least(2.0, 0.05 * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));
        END;
    END LOOP;
END
$cutover$;

-- Step 3 of 6: set organization_id NOT NULL (no scan: the valid CHECK proves it)
-- Lock: ACCESS EXCLUSIVE; brief, no table scan
DO $cutover$
DECLARE
    attempt integer := 0;
    give_up timestamptz := clock_timestamp() + interval '10min';
BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    LOOP
        BEGIN
            ALTER TABLE "public"."user" ALTER COLUMN "organization_id" SET NOT NULL;
            EXIT;
        EXCEPTION
            WHEN lock_not_available OR deadlock_detected THEN
                IF clock_timestamp() > give_up THEN
                    RAISE;
                END IF;
                attempt := attempt + 1;
                PERFORM pg_sleep(least(2.0, 0.05 * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));
        END;
    END LOOP;
END
$cutover$;

-- Step 4 of 6: drop CHECK constraint user_organization_id_cutover_not_null, now redundant
-- Lock: ACCESS EXCLUSIVE; brief, no table scan
DO $cutover$
DECLARE
    attempt integer := 0;
    give_up timestamptz := clock_timestamp() + interval '10min';
BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    LOOP
        BEGIN
            ALTER TABLE "public"."user" DROP CONSTRAINT "user_organization_id_cutover_not_null";
            EXIT;
        EXCEPTION
            WHEN undefined_object THEN
                EXIT;
            WHEN lock_not_available OR deadlock_detected THEN
                IF clock_timestamp() > give_up THEN
                    RAISE;
                END IF;
                attempt := attempt + 1;
                PERFORM pg_sleep(least(2.0, 0.05 * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));
        END;
    END LOOP;
END
$cutover$;

-- Step 5 of 6: add foreign key user_organization_id_organizations_id_fk NOT VALID
-- Lock: SHARE ROW EXCLUSIVE; brief, no table scan
DO $cutover$
DECLARE
    attempt integer := 0;
    give_up timestamptz := clock_timestamp() + interval '10min';
BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    LOOP
        BEGIN
            ALTER TABLE "public"."user" ADD CONSTRAINT "user_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations" ("id") ON DELETE RESTRICT NOT VALID;
            EXIT;
        EXCEPTION
            WHEN duplicate_object THEN
                EXIT;
            WHEN lock_not_available OR deadlock_detected THEN
                IF clock_timestamp() > give_up THEN
                    RAISE;
                END IF;
                attempt := attempt + 1;
                PERFORM pg_sleep(least(2.0, 0.05 * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));
        END;
    END LOOP;
END
$cutover$;

-- Step 6 of 6: validate foreign key user_organization_id_organizations_id_fk
-- Lock: SHARE UPDATE EXCLUSIVE; scans the table while reads and writes go on
DO $cutover$
DECLARE
    attempt integer := 0;
    give_up timestamptz := clock_timestamp() + interval '10min';
BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    LOOP
        BEGIN
            ALTER TABLE "public"."user" VALIDATE CONSTRAINT "user_organization_id_organizations_id_fk";
            EXIT;
        EXCEPTION
            WHEN lock_not_available OR deadlock_detected THEN
                IF clock_timestamp() > give_up THEN
                    RAISE;
                END IF;
                attempt := attempt + 1;
                PERFORM pg_sleep(least(2.0, 0.05 * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));
        END;
    END LOOP;
END
$cutover$;
