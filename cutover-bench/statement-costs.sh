#!/usr/bin/env bash
# What each part of a remediation batch statement (a constant policy over block ranges) costs
# PostgreSQL, against the peer's hand-written UPDATE: statements of several kinds interleaved
# over one table in ranges of 10,000 ids (2,000 NULL rows each), so that checkpoints and the
# cache fall on all kinds alike; prints the median of each kind, the commit included (psql's
# timing of an autocommit statement). Then the cost of building 100 journal entries each way.
#
#   cutover-bench/statement-costs.sh                  # psql to 127.0.0.1:5432 as postgres
#   PGHOST=db PGPORT=5433 PGUSER=me cutover-bench/statement-costs.sh --rows 1000000
#
# Needs psql and a role that may create databases; the database cutover_bench_statements is
# created and dropped.
set -euo pipefail

rows=5000000
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --rows N)" >&2; exit 2 ;;
  esac
done
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" PGOPTIONS="-c client_min_messages=warning"
db=cutover_bench_statements
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -qX -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true' EXIT

psql -qX -d postgres -c "drop database if exists $db" -c "create database $db" >/dev/null
psql -qX -d "$db" >/dev/null <<SQL
create table t (id bigint primary key, email text not null, created_at timestamptz, organization_id bigint);
insert into t select g, 'user' || g || '@example.test', now(), case when g % 5 = 0 then null else 1 end
from generate_series(1, $rows) g;
create table j (id bigint generated always as identity, run_id uuid not null, keys jsonb not null, key_count integer not null,
                xact bigint, key_column text, primary key (run_id, id));
vacuum analyze t;
checkpoint;
SQL

# Each kind of statement, with {b} and {b2} the blocks of the range and {x} and {x2} its ids.
taken="select ctid as tid from t where ctid >= '({b},0)'::tid and ctid < '({b2},0)'::tid and organization_id is null limit 5000"
two_step="update t set organization_id = 3 where ctid = any(array(select tid from c)) and organization_id is null"
object="('{\"id\":' || to_json(id)::text || '}')"
tail="select (select count(*) from c)::int, (select tid from c order by tid desc limit 1)::text, (select count(*) from u)::int"
kinds=(
  "peer|update t set organization_id = 3 where id >= {x} and id < {x2} and organization_id is null"
  "ctids taken first, then updated by ctid|with c as ($taken) $two_step"
  "the same, returning the key, the counts read back as the engine does|with c as ($taken), u as ($two_step returning id as k) $tail"
  "the same, journal entry of the bare keys, as the engine writes it|with c as ($taken), u as ($two_step returning id as k), e as (insert into j (run_id, keys, key_count, xact, key_column) select gen_random_uuid(), to_jsonb(a.k[s : s + 999]), least(1000, cardinality(a.k) - s + 1), txid_current(), 'id' from (select array_agg(k) as k from u) a cross join lateral generate_series(1, cardinality(a.k), 1000) as s) $tail"
  "the same, journal entry of one object per key, the form of a composite key|with c as ($taken), u as ($two_step returning $object as k), e as (insert into j (run_id, keys, key_count, xact) select gen_random_uuid(), ('[' || string_agg(k, ',') || ']')::jsonb, count(*), txid_current() from (select k, (row_number() over () - 1) / 1000 as g from u) n group by g) $tail"
)

psql -qXAt -d "$db" -c "select x, ((select ctid from t where id = x)::text::point)[0]::bigint from generate_series(1, $rows, 10000) x" > "$work/chunks"
{
  echo '\timing on'
  i=0; prev=''
  while IFS='|' read -r x b; do
    if [ -n "$prev" ]; then
      IFS='|' read -r px pb <<< "$prev"
      entry="${kinds[$((i % ${#kinds[@]}))]}"
      name="${entry%%|*}"; sql="${entry#*|}"
      sql="${sql//\{x\}/$px}"; sql="${sql//\{x2\}/$x}"; sql="${sql//\{b\}/$pb}"; sql="${sql//\{b2\}/$b}"
      echo "\\echo KIND $name"
      echo "$sql;"
      i=$((i + 1))
    fi
    prev="$x|$b"
  done < "$work/chunks"
} > "$work/statements.sql"
psql -qX -d "$db" -f "$work/statements.sql" > "$work/out" 2>&1

echo "| statement over the NULL rows of 10,000 ids | runs | median ms |"
echo "|---|---:|---:|"
awk '/^KIND /{kind=substr($0, 6); next} /^Time: /{if (kind != "") {print kind "\t" $2}; kind=""}' "$work/out" \
  | sort -t$'\t' -k1,1 -k2,2n \
  | awk -F'\t' 'function out() {if (n > 0) printf "| %s | %d | %.1f |\n", kind, n, v[int((n + 1) / 2)]}
                 $1 != kind {out(); kind = $1; n = 0} {v[++n] = $2} END {out()}'

echo
echo "| journal arrays of 100,000 keys in entries of 1,000 | ms |"
echo "|---|---:|"
for expr in "to_jsonb(array_agg(g::bigint))" "('[' || string_agg('{\"id\":' || to_json(g::bigint)::text || '}', ',') || ']')::jsonb"; do
  ms=$(psql -qXAt -d "$db" -c '\timing on' \
    -c "create temp table a as select $expr as k from generate_series(1, 100000) g group by g / 1000" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
  echo "| \`${expr//|/\\|}\` | $ms |"
done
