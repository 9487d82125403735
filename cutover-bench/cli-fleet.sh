#!/usr/bin/env bash
# Fleet benchmark of the command line: `cutover status` over 10, 100 and 1,000 tenant schemas,
# each with a users table of 10,000 rows (10 of them NULL), sequentially and with --parallel 4.
# Each size gets its own database on the server, dropped at the end. Times are wall-clock for
# the whole command (JVM start included), best of --runs.
#
#   cutover-bench/cli-fleet.sh                        # server at 127.0.0.1:5432, user postgres
#   cutover-bench/cli-fleet.sh --sizes 10,100 --runs 1
#   cutover-bench/cli-fleet.sh --java-opts '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC'   # JVM options for the command
#
# Needs psql and the jar: mvn -B -pl cutover-cli -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

host=127.0.0.1; port=5432; user=postgres
sizes=10,100,1000; runs=3; rows=10000; java_opts=""
while [ $# -gt 0 ]; do
  case "$1" in
    --host) host="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --java-opts) java_opts="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --host, --port, --user, --sizes 10,100,1000, --runs N, --rows N, --java-opts '...')" >&2; exit 2 ;;
  esac
done
[ -f cutover-cli/target/cutover.jar ] || { echo "cutover-cli/target/cutover.jar is missing: mvn -B -pl cutover-cli -am package -DskipTests" >&2; exit 2; }
# A copy, so that a rebuild during the run does not change the jar under the benchmark.
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
jar="$work/cutover.jar"; cp cutover-cli/target/cutover.jar "$jar"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" "$@"; }

echo "| schemas | rows | --parallel 1 | --parallel 4 | per schema (parallel 4) |"
echo "|---:|---:|---:|---:|---:|"
for n in ${sizes//,/ }; do
  db="cutover_fleet_bench_$n"
  psql_ -d postgres -c "drop database if exists $db" -c "create database $db"
  psql_ -d "$db" <<SQL
do \$\$
begin
  for i in 1..$n loop
    execute format('create schema %I', 'tenant_' || lpad(i::text, 4, '0'));
    execute format('create table %I.users (id bigint primary key, email text not null, org_id bigint)',
                   'tenant_' || lpad(i::text, 4, '0'));
    execute format('insert into %I.users select g, ''u'' || g || ''@example.com'', '
                   'case when g %% 1000 = 0 then null else 1 end from generate_series(1, $rows) g',
                   'tenant_' || lpad(i::text, 4, '0'));
  end loop;
end \$\$;
vacuum analyze;
SQL
  url="jdbc:postgresql://$host:$port/$db?user=$user"
  declare -A best=()
  for p in 1 4; do
    best[$p]=""
    for _ in $(seq 1 "$runs"); do
      start=$(date +%s.%N)
      code=0
      # shellcheck disable=SC2086
      java $java_opts -jar "$jar" status --url "$url" --table users --column org_id --schemas 'tenant_%' --parallel "$p" --json \
        > "$work/fleet-$n-$p.json" || code=$?
      end=$(date +%s.%N)
      [ "$code" = 1 ] || { echo "status exited $code (expected 1: NULL rows remain)" >&2; exit 1; }
      t=$(echo "$end - $start" | bc)
      if [ -z "${best[$p]}" ] || [ "$(echo "$t < ${best[$p]}" | bc)" = 1 ]; then best[$p]=$t; fi
    done
    lines=$(python3 -c "import json,sys; print(len(json.load(open('$work/fleet-$n-$p.json'))))")
    [ "$lines" = "$n" ] || { echo "expected $n targets, got $lines" >&2; exit 1; }
  done
  per=$(echo "scale=1; ${best[4]} * 1000 / $n" | bc)
  printf "| %s | %s | %.2f s | %.2f s | %s ms |\n" "$n" "$((n * rows))" "${best[1]}" "${best[4]}" "$per"
  psql_ -d postgres -c "drop database $db"
done
