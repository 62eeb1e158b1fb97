#!/usr/bin/env bash
# The directory queue and the PostgreSQL queue side by side, in the same run, against one
# Postfix smtp-sink on loopback: messages per second drained by 1, 2 and 4 concurrent
# `pgpmail queue process` processes, for plain 2 KiB messages and for PGP/MIME messages (signed
# with Ed25519 and encrypted to X25519, rendered at enqueue time, as `pgpmail queue add` does).
# Both queues are durable: the directory queue fsyncs every transition, PostgreSQL runs with
# its default fsync and synchronous_commit. PostgreSQL is a private cluster in a temporary
# directory on a free loopback port (as the `postgres` user when run as root).
#
# For every run it prints the rate, the wall time and how busy the machine was (percent of one
# core, from /proc/stat: the workers, PostgreSQL and smtp-sink together).
#
# usage: compare-queues.sh [--count N (10000)] [--workers "1 2 4"] [--connections C (4)]
# Needs: swift, smtp-sink (apt-get install postfix), the PostgreSQL server (apt-get install
# postgresql).
set -euo pipefail
count=10000
workers="1 2 4"
connections=4
while [ $# -gt 0 ]; do
    case "$1" in
    --count) count="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
for tool in swift smtp-sink python3 "$pgbin/initdb" "$pgbin/pg_ctl"; do
    command -v "$tool" >/dev/null || { echo "missing $tool (see --help)" >&2; exit 1; }
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
echo "building (release)…" >&2
(cd "$here/.." && swift build -c release --product pgpmail-bulk-bench >/dev/null)
(cd "$root" && swift build -c release --product pgpmail >/dev/null)
bench="$here/../.build/release/pgpmail-bulk-bench"
pgpmail="$root/.build/release/pgpmail"

work="$(mktemp -d)"
chmod 755 "$work"
sink_pid=""
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)
cleanup() {
    [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
    "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

smtp_port="$(free_port)"
user_option=()
[ "$(id -u)" -eq 0 ] && user_option=(-u nobody)
smtp-sink "${user_option[@]}" "127.0.0.1:$smtp_port" 1000 &
sink_pid=$!

pg_port="$(free_port)"
mkdir -p "$work/pg"
echo bench-secret >"$work/pg/password"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$work/pg"
"${as_postgres[@]}" "$pgbin/initdb" -D "$work/pg/data" -U bench --pwfile "$work/pg/password" \
    --auth scram-sha-256 >/dev/null
"${as_postgres[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-p $pg_port -h 127.0.0.1 -k $work/pg -c max_connections=100" start >/dev/null
url="postgres://bench:bench-secret@127.0.0.1:$pg_port/postgres?sslmode=disable"

# Busy jiffies of the whole machine (all but idle and iowait).
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
rate_of() { awk '{ for (i = 1; i < NF; i++) if ($i == "rate") print $(i + 1) }'; }

printf '%-8s %-10s %7s %10s %8s %8s %10s\n' content queue workers "msg/s" seconds "busy%" "enqueue/s"
for content in plain pgpmime; do
    content_option=()
    [ "$content" = pgpmime ] && content_option=(--pgpmime --recipients 100)
    for kind in directory postgres; do
        for w in $workers; do
            if [ "$kind" = directory ]; then
                queue="$work/queue-$content-$w"
            else
                queue="$url&table=q_${content}_$w"
            fi
            enqueue_rate=$("$bench" enqueue --queue "$queue" --count "$count" --size 2048 "${content_option[@]}" | rate_of)
            sync
            before=$(busy)
            start=$(date +%s.%N)
            pids=()
            for _ in $(seq "$w"); do
                "$pgpmail" queue process "$queue" --server 127.0.0.1 --port "$smtp_port" --tls none \
                    --connections "$connections" >"$work/out-$kind-$content-$w-$_" 2>&1 &
                pids+=($!)
            done
            for pid in "${pids[@]}"; do wait "$pid"; done
            end=$(date +%s.%N)
            after=$(busy)
            sent=$(awk '/^sent/ { s += $2 } END { print s + 0 }' "$work"/out-"$kind-$content-$w"-*)
            [ "$sent" -eq "$count" ] || { echo "only $sent of $count sent:" >&2; cat "$work"/out-"$kind-$content-$w"-* >&2; exit 1; }
            awk -v c="$content" -v k="$kind" -v w="$w" -v n="$count" -v s="$start" -v e="$end" \
                -v b="$before" -v a="$after" -v q="$enqueue_rate" -v hz="$(getconf CLK_TCK)" 'BEGIN {
                    t = e - s
                    printf "%-8s %-10s %7d %10.0f %8.2f %8.0f %10s\n", c, k, w, n / t, t, 100 * (a - b) / hz / t, q
                }'
        done
    done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); PostgreSQL $("$pgbin/postgres" --version | awk '{ print $3 }')"
