#!/usr/bin/env bash
# Messages per second for bulk mail, PGPMail against pysequoia, in one run.
#
#   Benchmarks/scripts/compare-pysequoia-small.sh [--count N] [--runs N] [--body-bytes N]
#                                                 [--rsa] [--keep]
#
# N (default 5000) distinct text messages of --body-bytes (2048) bytes each, signed with an
# Ed25519 key and encrypted to another key's X25519 (Cv25519) subkey, single thread, keys
# loaded once; with --rsa the same again with RSA-3072 keys. Every side runs --runs times (3),
# the sides interleaved so that load from elsewhere on the machine falls on all alike; the
# table shows the median messages per wall-clock second and per second of the thread's CPU
# time (the steadier figure on a shared machine), each with its ratio to pysequoia (above 1:
# we are faster).
#
# Sides:
#   pysequoia         pysequoia.encrypt(body, [cert], signer=key), armored: sign + encrypt
#                     of the body alone, no compression (Sequoia's default).
#   pgpmail zip6      Benchmarks/Sources/PGPMailSmallBench (pgpmail-small-bench): a
#                     MailMessage with the text body, signedAndEncrypted (PGP/MIME, ZIP
#                     level 6, the default MessageOptions) and rendered to bytes, headers
#                     and all: more work than the pysequoia side.
#   pgpmail none      the same without compression, closer to what pysequoia does.
# Before timing, one message from each side is decrypted by gpg, its signature checked and
# its plaintext compared with the input.
#
# Needs gpg, python3 with pysequoia (pip install pysequoia), swift, awk.
set -euo pipefail

count=5000
runs=3
body_bytes=2048
with_rsa=0
keep=0
while (($#)); do
    case "$1" in
        --count) count=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --body-bytes) body_bytes=$2; shift 2 ;;
        --rsa) with_rsa=1; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

for tool in gpg swift awk python3; do
    command -v "$tool" >/dev/null || { echo "compare-pysequoia-small.sh: $tool is missing" >&2; exit 1; }
done
python3 -c 'import pysequoia' 2>/dev/null \
    || { echo "compare-pysequoia-small.sh: pysequoia is missing (pip install pysequoia)" >&2; exit 1; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "== Building pgpmail-small-bench (release)"
swift build -c release --package-path "$bench_dir" --product pgpmail-small-bench >&2
bench=$(swift build -c release --package-path "$bench_dir" --show-bin-path)/pgpmail-small-bench

work=$(mktemp -d "${TMPDIR:-/tmp}/pgpmail-pysequoia.XXXXXX")
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
cleanup() {
    gpgconf --kill gpg-agent 2>/dev/null || true
    if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== Keys (gpg $(gpg --version | head -1 | awk '{print $3}'))"
gpg_quiet=(--batch --no-tty --quiet --pinentry-mode loopback --passphrase '')
make_key() { # name primary-algo subkey-algo: writes $work/name.sec and $work/name.pub
    gpg "${gpg_quiet[@]}" --quick-gen-key "Bench $1 <$1@example.org>" "$2" sign never 2>/dev/null
    local fpr
    fpr=$(gpg --batch --with-colons --list-keys "$1@example.org" 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
    gpg "${gpg_quiet[@]}" --quick-add-key "$fpr" "$3" encr never 2>/dev/null
    gpg "${gpg_quiet[@]}" --armor --export-secret-keys "$fpr" >"$work/$1.sec"
    gpg --batch --armor --export "$fpr" >"$work/$1.pub" 2>/dev/null
}
kinds=(ed25519)
make_key ed25519-sender ed25519 cv25519
make_key ed25519-recipient ed25519 cv25519
if ((with_rsa)); then
    kinds+=(rsa3072)
    make_key rsa3072-sender rsa3072 rsa3072
    make_key rsa3072-recipient rsa3072 rsa3072
fi

# The pysequoia side: prints "msg/s RATE" and "msg/cpu-s RATE" like pgpmail-small-bench;
# with a fifth argument it writes the last message there and its body next to it (.body).
cat >"$work/pysequoia_small.py" <<'PYTHON'
import sys, time
import pysequoia

key_path, cert_path, count, body_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
out_path = sys.argv[5] if len(sys.argv) > 5 else None
signer = pysequoia.Tsk.from_file(key_path).signer()
recipient = pysequoia.Cert.from_file(cert_path)

# Distinct ASCII bodies of CRLF lines of words and numbers from a fixed LCG, as the Swift side.
words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do"]
state = 0x9E3779B97F4A7C15
def next_value(bound):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    return (state >> 33) % bound
bodies = []
for index in range(count):
    text = "Message %d: your statement for account %d is ready.\r\n" % (index, next_value(1000000))
    while len(text) < body_bytes:
        text += "%s %s %d %s %s %d.%d %s\r\n" % (
            words[next_value(10)], words[next_value(10)], next_value(100000), words[next_value(10)],
            words[next_value(10)], next_value(1000), next_value(100), words[next_value(10)])
    bodies.append(text[:body_bytes].encode())

for body in bodies[:min(200, count)]:
    pysequoia.encrypt(body, [recipient], signer=signer)
start, cpu_start = time.perf_counter(), time.thread_time()
for body in bodies:
    message = pysequoia.encrypt(body, [recipient], signer=signer)
seconds, cpu_seconds = time.perf_counter() - start, time.thread_time() - cpu_start
if out_path:
    open(out_path, "wb").write(message)
    open(out_path + ".body", "wb").write(bodies[-1])
print("msg/s %.1f" % (count / seconds))
print("msg/cpu-s %.1f" % (count / cpu_seconds))
PYTHON

pysequoia_command() { # kind [out]
    command_line=(python3 "$work/pysequoia_small.py" "$work/$1-sender.sec" "$work/$1-recipient.pub" "$count"
        "$body_bytes" ${2:+"$2"})
}
pgpmail_command() { # kind compression [out]
    command_line=("$bench" --count "$count" --body-bytes "$body_bytes" --compression "$2"
        --key "$work/$1-sender.sec" --cert "$work/$1-recipient.pub" ${3:+--out "$3"})
}
rate_of() { "$@" | awk '$1 == "msg/s" || $1 == "msg/cpu-s" { printf "%s ", $2 }'; } # → "wall cpu"

# Decrypts $2 (an armored message, or a MIME message holding one) with gpg: the signature must
# be good and the plaintext must contain the file $3's bytes.
check_message() { # kind message expected-plaintext-file
    local status
    awk '/^-----BEGIN PGP MESSAGE-----/ { p = 1 } p { print } /^-----END PGP MESSAGE-----/ { p = 0 }' "$2" \
        | tr -d '\r' >"$work/check.asc"
    status=$(gpg --batch --no-tty --quiet --status-fd 1 -o "$work/check.out" --decrypt "$work/check.asc" 2>/dev/null)
    grep -q '^\[GNUPG:\] GOODSIG' <<<"$status" || { echo "gpg finds no good signature in $2" >&2; exit 1; }
    python3 - "$work/check.out" "$3" <<'PYTHON' || { echo "$2 does not decrypt to its body" >&2; exit 1; }
import sys
plain, body = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
# The PGP/MIME body is the MIME entity: the text itself if 7-bit, quoted-printable otherwise.
sys.exit(0 if body in plain or body.replace(b"\r\n", b"\n") in plain.replace(b"\r\n", b"\n") else 1)
PYTHON
    rm -f "$work/check.out" "$work/check.asc"
}

declare -A rates cpu_rates
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for kind in "${kinds[@]}"; do
    echo "== $kind: checking one message of each side with gpg"
    gpg "${gpg_quiet[@]}" --import "$work/$kind-recipient.sec" 2>/dev/null
    pysequoia_command "$kind" "$work/py.asc"; command_line[4]=50; "${command_line[@]}" >/dev/null
    check_message "$kind" "$work/py.asc" "$work/py.asc.body"
    pgpmail_command "$kind" zip "$work/ours.eml"; "${command_line[@]}" --count 50 >/dev/null
    # The last body the bench writes is message 49's; its first line is enough to identify it.
    printf 'Message 49: ' >"$work/ours.body"
    check_message "$kind" "$work/ours.eml" "$work/ours.body"
    echo "== $kind: $runs runs of $count messages each"
    for ((run = 1; run <= runs; run++)); do
        for side in pysequoia "pgpmail zip6" "pgpmail none"; do
            case $side in
                pysequoia) pysequoia_command "$kind" ;;
                "pgpmail zip6") pgpmail_command "$kind" zip ;;
                "pgpmail none") pgpmail_command "$kind" none ;;
            esac
            read -r wall cpu <<<"$(rate_of "${command_line[@]}")"
            rates[$kind:$side]+="$wall "
            cpu_rates[$kind:$side]+="$cpu "
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | awk 'NF' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "pysequoia $(python3 -c 'import importlib.metadata as m; print(m.version("pysequoia"))'), $(openssl version | cut -d' ' -f1-2);" \
    "$count messages of $body_bytes bytes; $runs runs; load average before $load_before, after $load_after; $(nproc) cores"
printf '%-10s %-14s %10s %9s %12s %9s\n' keys side "msg/s" "vs pyseq" "msg/CPU-s" "vs pyseq"
for kind in "${kinds[@]}"; do
    reference=$(median <<<"${rates[$kind:pysequoia]}")
    cpu_reference=$(median <<<"${cpu_rates[$kind:pysequoia]}")
    for side in pysequoia "pgpmail zip6" "pgpmail none"; do
        rate=$(median <<<"${rates[$kind:$side]}")
        cpu_rate=$(median <<<"${cpu_rates[$kind:$side]}")
        printf '%-10s %-14s %10.0f %9.2f %12.0f %9.2f\n' "$kind" "$side" "$rate" \
            "$(awk -v a="$rate" -v b="$reference" 'BEGIN { print a / b }')" "$cpu_rate" \
            "$(awk -v a="$cpu_rate" -v b="$cpu_reference" 'BEGIN { print a / b }')"
    done
done
