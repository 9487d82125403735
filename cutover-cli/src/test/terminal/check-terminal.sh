#!/usr/bin/env bash
# The terminal experience of `cutover remediate`, checked for real: the jar runs in a tmux pane
# (a terminal), the pane is captured during the run and must show the progress bar (rows done,
# rate, ETA), then the final summary. The same command with its output piped (no terminal) must
# print plain lines, one per batch, with no carriage return or escape code.
#
#   cutover-cli/src/test/terminal/check-terminal.sh [--host 127.0.0.1] [--port 5432] [--user postgres]
#
# Needs tmux, psql, and cutover-cli/target/cutover.jar. Creates and drops its own database.
set -euo pipefail
cd "$(dirname "$0")/../../../.."

host=127.0.0.1; port=5432; user=postgres
while [ $# -gt 0 ]; do
  case "$1" in
    --host) host="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
jar="$PWD/cutover-cli/target/cutover.jar"
[ -f "$jar" ] || { echo "$jar is missing: mvn -B -pl cutover-cli -am package -DskipTests" >&2; exit 2; }

db="cutover_cli_terminal_$$"
session="cutover-terminal-$$"
work="$(mktemp -d)"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" "$@"; }
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  psql_ -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

psql_ -d postgres -c "create database $db"
psql_ -d "$db" -c "create table accounts (id bigint primary key, org_id bigint);
                   insert into accounts select g, null from generate_series(1, 2000) g;"
cat > "$work/cutover.yml" <<YML
cutover:
  cutovers:
    - table: accounts
      column: org_id
      remediation:
        batch-size: 50
        policies:
          - constant: 7
YML
url="jdbc:postgresql://$host:$port/$db?user=$user"
cmd=(java -jar "$jar" remediate --config "$work/cutover.yml" --url "$url" --max-rows-per-second 400)

# 1. On a terminal: a progress bar while it runs, the summary at the end.
tmux new-session -d -s "$session" -x 150 -y 30 \
  "$(printf '%q ' "${cmd[@]}"); echo \"EXIT=\$?\"; sleep 600"
bar=""
for _ in $(seq 1 120); do
  pane="$(tmux capture-pane -p -t "$session")"
  # The bar shows its rate once a batch is done and a second has passed; until then it reads "? rows/s".
  if grep -Eq 'Remediating accounts +[0-9]+% \[.*\] +[1-9][0-9]*/2000 +rows .* [0-9.]+ rows/s' <<<"$pane" \
      && ! grep -q 'EXIT=' <<<"$pane"; then
    bar="$(grep -E 'Remediating accounts' <<<"$pane" | tail -n 1)"
    break
  fi
  sleep 0.5
done
[ -n "$bar" ] || fail "no progress bar in the pane during the run; the pane showed:
$(tmux capture-pane -p -t "$session")"
echo "progress bar during the run: $bar"
grep -Eq '[0-9.]+ rows/s' <<<"$bar" || fail "the bar shows no rate: $bar"
grep -Eq '\([0-9:]+ / [0-9:]+\)' <<<"$bar" || fail "the bar shows no elapsed / ETA: $bar"

for _ in $(seq 1 240); do
  pane="$(tmux capture-pane -p -t "$session" -S -100)"
  grep -q 'EXIT=' <<<"$pane" && break
  sleep 0.5
done
grep -q 'EXIT=0' <<<"$pane" || fail "remediate did not exit 0; the pane showed:
$pane"
grep -q 'Remediation of public.accounts.org_id: COMPLETE' <<<"$pane" || fail "no summary in the pane:
$pane"
grep -q '2000 rows assigned, 0 skipped, 0 NULL rows remain' <<<"$pane" || fail "the summary lacks the counts:
$pane"
run_id="$(grep -Eo "cutover undo [0-9a-f-]{36}" <<<"$pane" | head -n 1 | awk '{print $3}')"
[ -n "$run_id" ] || fail "the summary names no run to undo"
echo "summary on the terminal:"
grep -A4 'Remediation of public.accounts.org_id' <<<"$pane"

# 2. Undo, then the same command off a terminal: plain lines, one per batch.
java -jar "$jar" undo "$run_id" --url "$url"
"${cmd[@]}" > "$work/out.txt" 2> "$work/err.txt" < /dev/null
grep -Eq '^batch 1 \(round 1\): [0-9]+ rows, [0-9]+ assigned, 0 skipped' "$work/err.txt" || fail "no plain batch lines:
$(head "$work/err.txt")"
[ "$(grep -c '^batch ' "$work/err.txt")" -ge 40 ] || fail "expected a line per batch"
if grep -q $'\r' "$work/err.txt" || grep -q $'\e\[' "$work/err.txt"; then fail "plain output has carriage returns or escape codes"; fi
grep -q 'COMPLETE' "$work/out.txt" || fail "no summary on stdout"
echo "off a terminal: $(grep -c '^batch ' "$work/err.txt") plain batch lines, e.g. $(head -n 1 "$work/err.txt")"
echo "terminal check: 2 passed, 0 failed"
