#!/usr/bin/env bash
# Runs every benchmark of cutover-bench against one PostgreSQL server and writes their
# Markdown tables, with the machine, the PostgreSQL version and the date, to
# docs/benchmarks/results.md (or the file given with --out).
#
#   cutover-bench/run-all.sh                       # full size, server at 127.0.0.1:5432
#   cutover-bench/run-all.sh --quick               # small sizes, to check that everything runs
#   cutover-bench/run-all.sh --server 'jdbc:postgresql://host:5432/postgres?user=postgres' --out /tmp/results.md
#   cutover-bench/run-all.sh --only remediation --out /tmp/remediation.md   # one benchmark
#
# The user in the URL must be allowed to create databases: each benchmark gets its own,
# dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

server='jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres'
out='docs/benchmarks/results.md'
quick=false
only=''
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) quick=true; shift ;;
    --only) only="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --server URL, --out FILE, --quick, --only NAME)" >&2; exit 2 ;;
  esac
done

if $quick; then
  remediation_args=(--rows 200000 --nulls 40000 --batch 1000,10000 --writers 4 --rate 20000 --rate-batch 100 --sparse-nulls 200
    --idle-ms 1000 --warmup-runs 2)
  migration_args=(--rows 200000 --writers 4 --reader-hold-ms 2000)
  flyway_args=(--runs 30 --warmup 5 --users 10000)
else
  remediation_args=(--rows 5000000 --nulls 1000000 --batch 1000,2000,10000 --writers 4 --rate 20000 --rate-batch 100 --sparse-nulls 5000)
  migration_args=(--rows 5000000 --writers 4 --reader-hold-ms 5000)
  flyway_args=(--runs 500 --warmup 50)
fi

mvn -B -q -pl cutover-bench -am package -DskipTests
cp="cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt)"

base="${server%%\?*}"; base="${base%/*}"
query=""; case "$server" in *\?*) query="?${server#*\?}" ;; esac
url_for() { echo "$base/$1$query"; }

sql() { java -cp "$cp" dev.cutover.bench.BenchSql "$server" "$1"; }

pg_version=$(sql "select version()")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo unknown)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

selected() { [ -z "$only" ] || [ "$only" = "$1" ]; }

run() { # name database-or-empty main-class args...
  local name="$1" db="$2" main="$3"; shift 3
  selected "$name" || return 0
  echo "== $name" >&2
  if [ -n "$db" ]; then
    sql "drop database if exists $db" >/dev/null
    sql "create database $db" >/dev/null
  fi
  java -Xmx512m -cp "$cp" "$main" "$@" > "$tmp/$name.md"
  if [ -n "$db" ]; then sql "drop database if exists $db" >/dev/null; fi
}

run migration cutover_bench_migration dev.cutover.bench.MigrationBench \
  --url "$(url_for cutover_bench_migration)" "${migration_args[@]}"
# The remediation benchmark runs the engine in its own JVM, so the whole JVM gets -Xmx64m: memory is
# bounded by the batch size. Its writers are a separate JVM.
if selected remediation; then
  echo "== remediation" >&2
  sql "drop database if exists cutover_bench_remediation" >/dev/null
  sql "create database cutover_bench_remediation" >/dev/null
  java -Xmx64m -cp "$cp" dev.cutover.bench.RemediationBenchmark \
    --url "$(url_for cutover_bench_remediation)" "${remediation_args[@]}" > "$tmp/remediation.md"
  sql "drop database if exists cutover_bench_remediation" >/dev/null
fi
run flyway-startup cutover_bench_flyway dev.cutover.bench.FlywayStartupBench \
  --jdbc-url "$(url_for cutover_bench_flyway)" "${flyway_args[@]}"
run testkit "" dev.cutover.bench.TestkitBench

{
  echo "# Benchmark results"
  echo
  echo "Written by \`cutover-bench/run-all.sh$($quick && echo ' --quick')\` on $(date -u +%Y-%m-%d) at commit $commit."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| machine | $(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB |"
  echo "| PostgreSQL (server) | $pg_version |"
  echo "| Java | $(java -version 2>&1 | head -n 1) |"
  echo "| size | $($quick && echo 'quick (small tables; not the documented figures)' || echo 'full (the sizes in each benchmark doc)') |"
  for name in migration remediation flyway-startup testkit; do
    selected "$name" || continue
    echo
    echo "## $name"
    echo
    cat "$tmp/$name.md"
  done
} > "$out"
echo "wrote $out" >&2
