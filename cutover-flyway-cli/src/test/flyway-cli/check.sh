#!/usr/bin/env bash
# cutover-flyway-all.jar with Flyway's own command line (org.flywaydb.commandline.Main from
# org.flywaydb:flyway-commandline, resolved as Flyway ships it, with its own slf4j 1.7 and
# PostgreSQL driver): the cutover migration is refused while NULL rows remain and applied after
# remediation, configured only by flyway.callbacks and cutover.properties.
#
#   cutover-flyway-cli/src/test/flyway-cli/check.sh [--host 127.0.0.1] [--port 5432] [--user postgres] [--flyway 11.14.1]
set -euo pipefail
cd "$(dirname "$0")/../../../.."

host=127.0.0.1; port=5432; user=postgres; flyway=11.14.1
while [ $# -gt 0 ]; do
  case "$1" in
    --host) host="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --flyway) flyway="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
jar="$PWD/cutover-flyway-cli/target/cutover-flyway-all.jar"
[ -f "$jar" ] || { echo "$jar is missing: mvn -B -pl cutover-flyway-cli -am package -DskipTests" >&2; exit 2; }

work="$(mktemp -d)"
db="cutover_flyway_cli_$$"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" "$@"; }
cleanup() { psql_ -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Flyway's command line as Flyway ships it: its own dependency tree, outside this build's BOMs.
mkdir -p "$work/resolve" "$work/sql" "$work/conf"
cat > "$work/resolve/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>check</groupId><artifactId>flyway-commandline-classpath</artifactId><version>1</version>
  <dependencies><dependency><groupId>org.flywaydb</groupId><artifactId>flyway-commandline</artifactId>
    <version>$flyway</version></dependency>
  <!-- Flyway's distribution ships jackson-core at its jackson-databind's version; Maven's nearest-wins would not. -->
  <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-core</artifactId>
    <version>\${jackson}</version></dependency></dependencies></project>
POM
jackson=$(mvn -B -q -f "$work/resolve/pom.xml" dependency:build-classpath -Djackson=2.19.1 -Dmdep.outputFile=/dev/stdout \
  | tr ':' '\n' | grep -o 'jackson-databind/[0-9.]*' | head -n 1 | cut -d/ -f2)
mvn -B -q -f "$work/resolve/pom.xml" -Djackson="$jackson" dependency:build-classpath -Dmdep.outputFile="$work/flyway.classpath"
grep -q 'flyway-commandline' "$work/flyway.classpath" || fail "flyway-commandline $flyway did not resolve"

cat > "$work/sql/V16__tables.sql" <<'SQL'
create table organizations (id bigint generated always as identity primary key, name text not null);
create table "user" (id bigint generated always as identity primary key, email text not null,
                     organization_id bigint references organizations(id));
SQL
cat > "$work/sql/V17__organization_id_not_null.sql" <<'SQL'
alter table "user" alter column organization_id set not null;
SQL
cat > "$work/conf/cutover.properties" <<'PROPS'
cutover.migration.version=17
cutover.table=user
cutover.column=organization_id
PROPS

psql_ -d postgres -c "create database $db"
flyway_() {
  java -cp "$(cat "$work/flyway.classpath"):$jar:$work/conf" org.flywaydb.commandline.Main \
    -url="jdbc:postgresql://$host:$port/$db" -user="$user" -locations="filesystem:$work/sql" \
    -callbacks=dev.cutover.flyway.CutoverCallback "$@"
}

flyway_ migrate -target=16 > "$work/m16.txt" 2>&1 || fail "migrate to 16 failed: $(cat "$work/m16.txt")"
psql_ -d "$db" -c "insert into organizations (name) values ('Acme');
                   insert into \"user\" (email, organization_id) values ('a@x', null), ('b@x', null), ('c@x', 1);"

code=0; flyway_ migrate > "$work/blocked.txt" 2>&1 || code=$?
[ "$code" != 0 ] || fail "migration 17 was applied while NULL rows remain: $(cat "$work/blocked.txt")"
grep -q 'Migration 17 blocked: 2 rows in public."user" have organization_id IS NULL' "$work/blocked.txt" \
  || fail "no blocking message: $(cat "$work/blocked.txt")"
applied=$(psql_ -d "$db" -Atc "select count(*) from flyway_schema_history where version = '17' and success")
[ "$applied" = 0 ] || fail "17 is in the history"
echo "blocked while NULL rows remain (exit $code): $(grep -o 'Migration 17 blocked.*' "$work/blocked.txt" | head -n 1 | cut -c1-150)"

psql_ -d "$db" -c "update \"user\" set organization_id = 1 where organization_id is null"
flyway_ migrate > "$work/applied.txt" 2>&1 || fail "migration 17 failed after remediation: $(cat "$work/applied.txt")"
notnull=$(psql_ -d "$db" -Atc "select attnotnull from pg_attribute where attrelid = '\"user\"'::regclass and attname = 'organization_id'")
[ "$notnull" = t ] || fail "organization_id is not NOT NULL after migrate"
echo "applied after remediation: $(grep -i 'Successfully applied' "$work/applied.txt" | head -n 1)"
echo "flyway command line check: 2 passed, 0 failed"
