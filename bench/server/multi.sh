#!/usr/bin/env bash
# Durable votes per second through two paddock servers on one PostgreSQL database, beside
# one server on SQLite, on this machine, under the same wrk load (bench/README.md).
#
#   bench/server/multi.sh                      10 s per run, 64 connections in all
#   DURATION=30s CONNECTIONS=128 bench/server/multi.sh
#
# The SQLite run sends every connection to one server; the PostgreSQL run splits the same
# connections between two servers (two wrk processes at once). PostgreSQL is a throwaway
# cluster made here with fsync on, so both figures are of votes committed durably (SQLite:
# WAL with synchronous=FULL). Afterwards the stored votes are counted against the 201s: every
# acknowledged vote must be there.
#
# Needs build/release/paddock, ffmpeg, wrk, curl, python3 and Debian's postgresql package.
# Leaves nothing running and nothing behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/server"
paddock=${PADDOCK:-$root/build/release/paddock}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
models=${MODELS:-4}
prompts=${PROMPTS:-6}

for tool in ffmpeg wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "multi.sh: $tool is missing (scripts/install-deps)"; exit 1; }
done
[[ -x $paddock ]] || { echo "multi.sh: $paddock is missing; build the release preset first"; exit 1; }
pg_bin=${PADDOCK_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[[ -x $pg_bin/initdb ]] || { echo "multi.sh: no PostgreSQL server programs (postgresql package)"; exit 1; }
(( connections >= 2 && connections % 2 == 0 )) || { echo "multi.sh: CONNECTIONS must be even"; exit 1; }

work=$(mktemp -d /tmp/paddock-multi.XXXXXX)
chmod 755 "$work"
as_postgres=()
if [[ $(id -u) -eq 0 ]]; then as_postgres=(runuser -u postgres --); fi
pids=()
pg_started=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  if [[ -n $pg_started ]]; then
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

source "$here/common.sh"

# ---- a small catalog: votes do not depend on the clips' size ----
echo "== making ${models}x${prompts} clips with ffmpeg"
catalog="$work/catalog"
make_catalog "$catalog" "$models" "$prompts" 320 180 1
sqlite_db="$work/paddock.db"
"$paddock" import --db "$sqlite_db" --media "$work/media" "$catalog" >"$work/import.log" 2>&1 ||
  { cat "$work/import.log"; exit 1; }

# ---- PostgreSQL: a throwaway cluster, fsync on, on a free port on 127.0.0.1 ----
echo "== starting PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), fsync on"
mkdir -p "$work/pg"
[[ ${#as_postgres[@]} -eq 0 ]] || chown postgres "$work/pg"
"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --locale=C \
  >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; exit 1; }
pg_port=$(free_port)
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -w -l "$work/pg/server.log" \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
pg_started=1
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres paddock
pg_url="postgresql://postgres@127.0.0.1:$pg_port/paddock"
"$paddock" copy --from "$sqlite_db" --to "$pg_url" >"$work/copy.log" 2>&1 ||
  { cat "$work/copy.log"; exit 1; }

# Starts `paddock serve` on database $1, logging to $work/$2.log; sets server_pid and
# server_port.
start_server() {
  local log="$work/$2.log"
  "$paddock" serve --db "$1" --media "$work/media" --listen 127.0.0.1:0 --rate-limits false \
    >/dev/null 2>"$log" &
  server_pid=$!
  pids+=("$server_pid")
  server_port=$(listening_port "$log") || { cat "$log"; exit 1; }
}

# Mints tickets on the server on port $1 into $2.0 (one wrk thread).
mint() {
  wrk -t1 -c16 -d"$duration" -s "$here/battles.lua" "http://127.0.0.1:$1" -- mint "$2" \
    >"$2.mint.txt" 2>&1
  drain_battles "http://127.0.0.1:$1"
}

# Prints "stored p50 p99" of a votes.lua run's report $1.
figures() {
  local stored p50 p99
  stored=$(grep -o 'votes stored: [0-9]*' "$1" | grep -o '[0-9]*$')
  read -r _ p50 p99 < <(wrk_figures "$1")
  echo "$stored $p50 $p99"
}

votes_in() { "$paddock" admin --db "$1" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["votes"])'; }

# ---- one server on SQLite: every connection to it ----
echo "== one server on SQLite: $connections connections, $duration"
start_server "$sqlite_db" serve_sqlite
sqlite_pid=$server_pid sqlite_port=$server_port
export PADDOCK_TRACK=bench
PADDOCK_COOKIE=$(session_cookie "http://127.0.0.1:$sqlite_port")
export PADDOCK_COOKIE
mint "$sqlite_port" "$work/sqlite_tickets"
wrk -t1 -c"$connections" -d"$duration" --latency -s "$here/votes.lua" \
  "http://127.0.0.1:$sqlite_port" -- "$work/sqlite_tickets" >"$work/sqlite_votes.txt" 2>&1
grep 'votes stored' "$work/sqlite_votes.txt"
read -r sqlite_stored sqlite_p50 sqlite_p99 < <(figures "$work/sqlite_votes.txt")
kill "$sqlite_pid"; wait "$sqlite_pid" || true
sqlite_counted=$(votes_in "$sqlite_db")

# ---- two servers on PostgreSQL: half of the connections to each, at the same time ----
half=$((connections / 2))
echo "== two servers on PostgreSQL: $half + $half connections, $duration"
start_server "$pg_url" serve_a
a_pid=$server_pid a_port=$server_port
start_server "$pg_url" serve_b
b_pid=$server_pid b_port=$server_port
PADDOCK_COOKIE=$(session_cookie "http://127.0.0.1:$a_port")  # server B knows server A's sessions
export PADDOCK_COOKIE
mint "$a_port" "$work/a_tickets"
mint "$b_port" "$work/b_tickets"
wrk -t1 -c"$half" -d"$duration" --latency -s "$here/votes.lua" "http://127.0.0.1:$a_port" \
  -- "$work/a_tickets" >"$work/a_votes.txt" 2>&1 &
wrk_a=$!
wrk -t1 -c"$half" -d"$duration" --latency -s "$here/votes.lua" "http://127.0.0.1:$b_port" \
  -- "$work/b_tickets" >"$work/b_votes.txt" 2>&1
wait "$wrk_a"
grep 'votes stored' "$work/a_votes.txt" "$work/b_votes.txt"
read -r a_stored a_p50 a_p99 < <(figures "$work/a_votes.txt")
read -r b_stored b_p50 b_p99 < <(figures "$work/b_votes.txt")
commits=$(for port in "$a_port" "$b_port"; do curl -s "http://127.0.0.1:$port/metrics"; done |
  awk '/^paddock_vote_commits_total /{c+=$2} /^paddock_vote_commit_votes_total /{v+=$2}
       END {printf "%.1f", c ? v / c : 0}')
kill "$a_pid" "$b_pid"; wait "$a_pid" "$b_pid" || true
pg_counted=$(votes_in "$pg_url")

python3 - <<EOF
secs = float("${duration%s}")
s, s50, s99 = $sqlite_stored, $sqlite_p50, $sqlite_p99
a, a50, a99 = $a_stored, $a_p50, $a_p99
b, b50, b99 = $b_stored, $b_p50, $b_p99
sqlite_rate, pg_rate = s / secs, (a + b) / secs
print()
print(f"{'durable votes/s':44}{'figure':>10}   p50 / p99 latency (ms)")
print(f"{'one server on SQLite':44}{sqlite_rate:>10.0f}   {s50:.2f} / {s99:.2f}")
print(f"{'two servers on PostgreSQL (sum)':44}{pg_rate:>10.0f}")
print(f"{'  server A':44}{a / secs:>10.0f}   {a50:.2f} / {a99:.2f}")
print(f"{'  server B':44}{b / secs:>10.0f}   {b50:.2f} / {b99:.2f}")
print(f"{'ratio PostgreSQL (two servers) / SQLite':44}{pg_rate / sqlite_rate:>10.2f}")
print()
print(f"votes per PostgreSQL commit (group commit, both servers): $commits")
print(f"acknowledged and stored: SQLite {s} answered 201, {$sqlite_counted} in the database; "
      f"PostgreSQL {a + b} answered 201, {$pg_counted} in the database")
print(f"(the database may hold up to {$connections} more: the votes in flight when wrk stopped "
      "counting, committed but their answers not read)")
print(f"machine load average when done: {open('/proc/loadavg').read().split()[0]} on "
      f"{__import__('os').cpu_count()} cores")
for name, acked, stored in (("SQLite", s, $sqlite_counted), ("PostgreSQL", a + b, $pg_counted)):
    if not acked <= stored <= acked + $connections:
        raise SystemExit(f"multi.sh: {name} holds {stored} votes for {acked} acknowledged")
EOF
