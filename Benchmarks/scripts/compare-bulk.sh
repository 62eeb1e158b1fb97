#!/usr/bin/env bash
# Bulk delivery side by side, everything against one Postfix smtp-sink on loopback in the
# same run (see ../README.md):
#   1. plain 2 KiB messages over 8 reused connections: pgpmail-bulk-bench plain (SMTPClient)
#      against smtp-source -d -s 8 -l 2048 (Postfix's own C load generator);
#   2. PGP/MIME, each message signed (Ed25519) and encrypted (X25519) to its own address,
#      end to end: pgpmail-bulk-bench pgpmime against bulk_baseline.py (pysequoia +
#      aiosmtplib, 8 connections);
#   3. peak RSS of `pgpmail queue process` draining 10,000 and 100,000 queued messages.
#
# usage: compare-bulk.sh [--count N (20000)] [--runs N (3)] [--recipients K (100)] [--rss-counts "10000 100000"]
# Needs: swift, smtp-sink and smtp-source (apt-get install postfix), python3 with pysequoia and
# aiosmtplib (pip install pysequoia aiosmtplib), GNU time (apt-get install time).
set -euo pipefail
count=20000
runs=3
recipients=100
rss_counts="10000 100000"
while [ $# -gt 0 ]; do
    case "$1" in
    --count) count="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --recipients) recipients="$2"; shift 2 ;;
    --rss-counts) rss_counts="$2"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in swift smtp-sink smtp-source python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool (see --help)" >&2; exit 1; }
done
python3 -c 'import pysequoia, aiosmtplib' 2>/dev/null || { echo "pip install pysequoia aiosmtplib" >&2; exit 1; }

here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
echo "building (release)…" >&2
(cd "$here/.." && swift build -c release --product pgpmail-bulk-bench >/dev/null)
(cd "$root" && swift build -c release --product pgpmail >/dev/null)
bench="$here/../.build/release/pgpmail-bulk-bench"
pgpmail="$root/.build/release/pgpmail"

work="$(mktemp -d)"
sink_pid=""
cleanup() {
    [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
user_option=()
[ "$(id -u)" -eq 0 ] && user_option=(-u nobody)
smtp-sink "${user_option[@]}" "127.0.0.1:$port" 1000 &
sink_pid=$!
sleep 0.5

# The rate field of a `… rate R msg/s` line.
rate_of() { awk '{ for (i = 1; i < NF; i++) if ($i == "rate") print $(i + 1) }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

smtp_source_rate() {
    local start end
    start=$(date +%s.%N)
    smtp-source -d -s 8 -l 2048 -m "$count" -f sender@example.org -t rcpt@example.org "127.0.0.1:$port"
    end=$(date +%s.%N)
    awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f\n", n / (e - s) }'
}

echo "1. plain 2 KiB messages, 8 connections, $count messages, $runs runs (interleaved)"
: >"$work/source" && : >"$work/ours"
for _ in $(seq "$runs"); do
    smtp_source_rate >>"$work/source"
    "$bench" plain --port "$port" --count "$count" --connections 8 --size 2048 | rate_of >>"$work/ours"
done
source_rate=$(median <"$work/source")
ours_rate=$(median <"$work/ours")
printf '   smtp-source -d -s 8   %8s msg/s\n   SMTPClient            %8s msg/s   %.2fx smtp-source\n' \
    "$source_rate" "$ours_rate" "$(awk -v a="$ours_rate" -v b="$source_rate" 'BEGIN { print a / b }')"

echo "2. PGP/MIME sign (Ed25519) + encrypt (X25519) + send, 8 connections, $count messages, $recipients certificates"
: >"$work/python" && : >"$work/pgpmime"
for _ in $(seq "$runs"); do
    python3 "$here/bulk_baseline.py" "$port" "$count" 8 "$recipients" 2048 | rate_of >>"$work/python"
    "$bench" pgpmime --port "$port" --count "$count" --connections 8 --recipients "$recipients" --size 2048 \
        | rate_of >>"$work/pgpmime"
done
python_rate=$(median <"$work/python")
pgpmime_rate=$(median <"$work/pgpmime")
printf '   pysequoia + aiosmtplib %7s msg/s\n   SMTPClient + PGPMail   %7s msg/s   %.2fx the Python baseline\n' \
    "$python_rate" "$pgpmime_rate" "$(awk -v a="$pgpmime_rate" -v b="$python_rate" 'BEGIN { print a / b }')"

echo "3. pgpmail queue process, 8 connections: peak RSS by queue size"
for n in $rss_counts; do
    "$bench" enqueue --queue "$work/queue-$n" --count "$n" --size 2048 >/dev/null
    /usr/bin/time -f '%M %e' -o "$work/time-$n" "$pgpmail" queue process "$work/queue-$n" \
        --server 127.0.0.1 --port "$port" --tls none --connections 8 >"$work/process-$n" 2>/dev/null
    read -r rss seconds <"$work/time-$n"
    printf '   %7s messages: peak RSS %6.1f MiB, %s\n' "$n" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
        "$(cat "$work/process-$n")"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
