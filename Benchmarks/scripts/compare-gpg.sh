#!/usr/bin/env bash
# Side-by-side comparison of PGPMail's OpenPGP engine with gpg on the same files, in one run.
#
#   Benchmarks/scripts/compare-gpg.sh [--runs N] [--big-mib N] [--text-mib N] [--rsa]
#                                     [--cipher aes128|aes256] [--hash sha256|sha512] [--keep]
#
# Sign + encrypt + armor of a random file without compression and of a text file with ZIP
# level 6, then decrypt + verify of the random file's message (the one gpg wrote, so every
# tool reads the same bytes). Every tool is run --runs times, the tools interleaved so that
# load from elsewhere on the machine falls on all of them alike; the table shows the median
# wall and CPU (user + system) seconds and the highest peak RSS (GNU time's %M), with ratios
# against gpg; on a shared machine the CPU ratio is the steadier one.
#
# Tools:
#   gpg             gpg --sign --encrypt --armor --compress-algo none|zip --compress-level 6
#                   --cipher-algo/--digest-algo pinned to ours (AES-128, SHA-256 by default);
#                   the agent makes the one signature, so its memory is not counted.
#   pgpmail-stream  Benchmarks/Sources/PGPMailStream: file → file through the streaming API
#                   with the exact MessageOptions (compression none or ZIP 6).
#   pgpmail-sop     the shipped SOP CLI, stdin → stdout; like sqop it never compresses (AES-128,
#                   SHA-256), so on the text file it writes more than the others: that row is
#                   for information, not a like-for-like ratio.
# Before any timing, each output is decrypted by the other side (gpg reads ours, we read
# gpg's), the signature checked and the plaintext compared with the input.
#
# Needs gpg, GNU time at /usr/bin/time (Debian: apt-get install time), swift, awk.
set -euo pipefail

runs=3
big_mib=256
text_mib=64
with_rsa=0
cipher=aes128
hash=sha256
keep=0
while (($#)); do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --big-mib) big_mib=$2; shift 2 ;;
        --text-mib) text_mib=$2; shift 2 ;;
        --rsa) with_rsa=1; shift ;;
        --cipher) cipher=$2; shift 2 ;;
        --hash) hash=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

for tool in gpg swift awk sha256sum; do
    command -v "$tool" >/dev/null || { echo "compare-gpg.sh: $tool is missing" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "compare-gpg.sh: GNU time is missing (apt-get install time)" >&2; exit 1; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gpg_cipher=${cipher^^}
gpg_hash=${hash^^}

echo "== Building pgpmail-stream and pgpmail-sop (release)"
swift build -c release --package-path "$bench_dir" --product pgpmail-stream >&2
swift build -c release --package-path "$bench_dir" --product pgpmail-sop >&2
bin=$(swift build -c release --package-path "$bench_dir" --show-bin-path)
stream=$bin/pgpmail-stream
sop=$bin/pgpmail-sop

work=$(mktemp -d "${TMPDIR:-/tmp}/pgpmail-compare.XXXXXX")
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
cleanup() {
    gpgconf --kill gpg-agent 2>/dev/null || true
    if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
# pgpmail-sop decrypt keeps the plaintext in a temporary file until it is authenticated:
# put it on the same file system as everything else.
export TMPDIR=$work

echo "== Inputs: ${big_mib} MiB random, ${text_mib} MiB text (in $work)"
head -c $((big_mib << 20)) /dev/urandom >"$work/random.bin"
awk -v target=$((text_mib << 20)) 'BEGIN {
    srand(42); split("lorem ipsum dolor sit amet consectetur adipiscing elit sed do", w, " ")
    split("sent deferred bounced", s, " ")
    for (n = 1; total < target; n++) {
        line = sprintf("2026-05-%02dT%02d:%02d:%02d.%03dZ host%d smtpd[%d]: message %d to user%d@example.org size=%d delay=%d ms status=%s %s %s %s",
            10 + int(rand() * 20), 10 + int(rand() * 14), 10 + int(rand() * 50), 10 + int(rand() * 50), 100 + int(rand() * 900),
            int(rand() * 32), 1000 + int(rand() * 9000), n, int(rand() * 5000), int(rand() * 100000), int(rand() * 1000),
            s[1 + int(rand() * 3)], w[1 + int(rand() * 10)], w[1 + int(rand() * 10)], w[1 + int(rand() * 10)])
        print line
        total += length(line) + 1
    }
}' >"$work/text.txt"
truncate -s $((text_mib << 20)) "$work/text.txt"

echo "== Keys (gpg $(gpg --version | head -1 | awk '{print $3}'))"
gpg_quiet=(--batch --no-tty --quiet --pinentry-mode loopback --passphrase '')
make_key() { # name primary-algo subkey-algo
    gpg "${gpg_quiet[@]}" --quick-gen-key "Bench $1 <$1@example.org>" "$2" sign never 2>/dev/null
    local fpr
    fpr=$(gpg --batch --with-colons --list-keys "$1@example.org" 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
    gpg "${gpg_quiet[@]}" --quick-add-key "$fpr" "$3" encr never 2>/dev/null
    gpg "${gpg_quiet[@]}" --armor --export-secret-keys "$fpr" >"$work/$1.sec"
    gpg --batch --armor --export "$fpr" >"$work/$1.pub" 2>/dev/null
    echo "$fpr"
}
declare -A fingerprint
fingerprint[ed25519]=$(make_key ed25519 ed25519 cv25519)
key_names=(ed25519)
if ((with_rsa)); then
    fingerprint[rsa3072]=$(make_key rsa3072 rsa3072 rsa3072)
    key_names+=(rsa3072)
fi

# One measured run: $1 = result name, rest = command (stdin/stdout given as < > files via
# the helper below). Appends "wall user sys maxrss_kib" to $work/times/$1.
mkdir "$work/times"
measure() {
    local name=$1; shift
    /usr/bin/time -f '%e %U %S %M' -a -o "$work/times/$name" "$@"
}
measure_io() { # name input output command...: stdin from input, stdout to output
    local name=$1 input=$2 output=$3; shift 3
    /usr/bin/time -f '%e %U %S %M' -a -o "$work/times/$name" "$@" <"$input" >"$output"
}

# The encrypt command lines, as arrays GNU time can run: $1 = key, $2 = compression
# (none|zip), $3 = input, $4 = output.
gpg_encrypt_command() {
    local level=()
    [[ $2 == zip ]] && level=(--compress-level 6)
    command_line=(gpg --batch --yes --no-tty --quiet --trust-model always --sign --encrypt --armor
        --compress-algo "$2" "${level[@]}" --cipher-algo "$gpg_cipher" --digest-algo "$gpg_hash"
        -r "${fingerprint[$1]}" -u "${fingerprint[$1]}" -o "$4" "$3")
}
stream_encrypt_command() {
    command_line=("$stream" encrypt --in "$3" --out "$4" --cert "$work/$1.pub" --sign-with "$work/$1.sec"
        --compression "$2" --level 6 --cipher "$cipher" --hash "$hash")
}
sop_encrypt_command() { # stdin → stdout
    command_line=("$sop" encrypt --sign-with="$work/$1.sec" "$work/$1.pub")
}

# Checks that $2 (a message) decrypts to $3 with a good signature, with gpg and with ours.
check_message() { # key message plaintext
    local expected status
    expected=$(sha256sum <"$3" | cut -d' ' -f1)
    rm -f "$work/check.out"
    status=$(gpg --batch --no-tty --quiet --status-fd 1 -o "$work/check.out" --decrypt "$2" 2>/dev/null)
    grep -q '^\[GNUPG:\] GOODSIG' <<<"$status" || { echo "gpg finds no good signature in $2" >&2; exit 1; }
    [[ $(sha256sum <"$work/check.out" | cut -d' ' -f1) == "$expected" ]] || { echo "gpg: $2 decrypts wrongly" >&2; exit 1; }
    rm -f "$work/check.out"
    "$stream" decrypt --in "$2" --out "$work/check.out" --key "$work/$1.sec" --verify-with "$work/$1.pub"
    [[ $(sha256sum <"$work/check.out" | cut -d' ' -f1) == "$expected" ]] || { echo "pgpmail: $2 decrypts wrongly" >&2; exit 1; }
    rm -f "$work/check.out"
}

run_encrypt_case() { # key input compression label
    local key=$1 input=$2 compression=$3 label=$4 run
    local out_gpg=$work/$label.gpg.asc out_stream=$work/$label.stream.asc out_sop=$work/$label.sop.asc
    echo "== $label: checking each output decrypts on the other side"
    gpg_encrypt_command "$key" "$compression" "$input" "$out_gpg"; "${command_line[@]}"
    stream_encrypt_command "$key" "$compression" "$input" "$out_stream"; "${command_line[@]}"
    sop_encrypt_command "$key"; "${command_line[@]}" <"$input" >"$out_sop"
    for message in "$out_gpg" "$out_stream" "$out_sop"; do check_message "$key" "$message" "$input"; done
    for name in gpg pgpmail-stream pgpmail-sop; do
        sizes[$label:$name]=$(stat -c %s "$work/$label.${name#pgpmail-}.asc")
    done
    echo "== $label: $runs runs each"
    for ((run = 1; run <= runs; run++)); do
        rm -f "$out_gpg"
        gpg_encrypt_command "$key" "$compression" "$input" "$out_gpg"; measure "$label:gpg" "${command_line[@]}"
        rm -f "$out_stream"
        stream_encrypt_command "$key" "$compression" "$input" "$out_stream"; measure "$label:pgpmail-stream" "${command_line[@]}"
        rm -f "$out_sop"
        sop_encrypt_command "$key"; measure_io "$label:pgpmail-sop" "$input" "$out_sop" "${command_line[@]}"
    done
    cases+=("$label")
}

run_decrypt_case() { # key message plaintext label
    local key=$1 message=$2 plaintext=$3 label=$4 run out=$work/decrypted.out
    echo "== $label: $runs runs each"
    for ((run = 1; run <= runs; run++)); do
        rm -f "$out"; measure "$label:gpg" gpg --batch --yes --no-tty --quiet -o "$out" --decrypt "$message" 2>/dev/null
        rm -f "$out"; measure "$label:pgpmail-stream" "$stream" decrypt --in "$message" --out "$out" \
            --key "$work/$key.sec" --verify-with "$work/$key.pub"
        rm -f "$out" "$work/verifications"
        measure_io "$label:pgpmail-sop" "$message" "$out" "$sop" decrypt --verify-with="$work/$key.pub" \
            --verifications-out="$work/verifications" "$work/$key.sec"
        [[ -s $work/verifications ]] || { echo "pgpmail-sop decrypt reported no good signature" >&2; exit 1; }
    done
    [[ $(sha256sum <"$out" | cut -d' ' -f1) == $(sha256sum <"$plaintext" | cut -d' ' -f1) ]] \
        || { echo "$label: wrong plaintext" >&2; exit 1; }
    for name in gpg pgpmail-stream pgpmail-sop; do sizes[$label:$name]=$(stat -c %s "$plaintext"); done
    cases+=("$label")
}

declare -A sizes
cases=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for key in "${key_names[@]}"; do
    run_encrypt_case "$key" "$work/random.bin" none "encrypt ${big_mib}MiB random none $key"
    run_encrypt_case "$key" "$work/text.txt" zip "encrypt ${text_mib}MiB text zip6 $key"
    run_decrypt_case "$key" "$work/encrypt ${big_mib}MiB random none $key.gpg.asc" "$work/random.bin" \
        "decrypt ${big_mib}MiB random none $key"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The table: median wall and CPU seconds, highest peak RSS, ratios against gpg.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stat_of() { # name → "wall cpu rss_mib"
    local file=$work/times/$1
    local wall cpu rss
    wall=$(awk '{ print $1 }' "$file" | median)
    cpu=$(awk '{ print $2 + $3 }' "$file" | median)
    rss=$(awk '$4 > m { m = $4 } END { printf "%.1f", m / 1024 }' "$file")
    echo "$wall $cpu $rss"
}
echo
echo "gpg $(gpg --version | head -1 | awk '{print $3}') ($(gpg --version | sed -n 2p)), $(openssl version | cut -d' ' -f1-2);" \
    "$cipher/$hash; $runs runs; load average before $load_before, after $load_after; $(nproc) cores"
printf '%-34s %-15s %7s %7s %8s %8s %9s %8s %8s\n' case tool "wall s" "CPU s" "RSS MiB" "out MiB" "wall/gpg" "CPU/gpg" "RSS/gpg"
for label in "${cases[@]}"; do
    read -r gwall gcpu grss <<<"$(stat_of "$label:gpg")"
    for name in gpg pgpmail-stream pgpmail-sop; do
        read -r wall cpu rss <<<"$(stat_of "$label:$name")"
        note=""
        [[ $name == pgpmail-sop && $label == encrypt*zip* ]] && note=" (uncompressed)"
        printf '%-34s %-15s %7.2f %7.2f %8.1f %8.1f %9.2f %8.2f %8.2f%s\n' "$label" "$name" "$wall" "$cpu" "$rss" \
            "$(awk -v b="${sizes[$label:$name]}" 'BEGIN { print b / 1048576 }')" \
            "$(awk -v a="$wall" -v b="$gwall" 'BEGIN { print a / b }')" \
            "$(awk -v a="$cpu" -v b="$gcpu" 'BEGIN { print a / b }')" \
            "$(awk -v a="$rss" -v b="$grss" 'BEGIN { print a / b }')" "$note"
    done
done
