#!/usr/bin/env bash
# Sign + encrypt + armor of one random file (no compression) in SEIPDv1 and in SEIPDv2 (AEAD
# OCB), beside gpg, sqop and pysequoia in the same run; and plain SEIPDv2-OCB encryption
# throughput (no signature, no armor).
#
#   Benchmarks/scripts/compare-rfc9580.sh [--runs N] [--mib N] [--keep]
#
# Rows (every tool run --runs times, interleaved; medians of wall and CPU seconds, highest
# peak RSS from GNU time's %M; ratios against gpg's SEIPDv1 row):
#   gpg v1        gpg --sign --encrypt --armor --compress-algo none, AES-128/SHA-256, to a
#                 v4 Ed25519+Cv25519 key gpg made (gpg 2.2 writes SEIPDv1 only)
#   sqop v1       sqop encrypt --sign-with (Sequoia, SEIPDv1 to the same v4 key)
#   ours v1       pgpmail-stream encrypt, the same options, to the same key
#   pysequoia v2  pysequoia.encrypt(data, [v6 cert], signer=…) to a v6 key pysequoia made
#                 (Sequoia chooses SEIPDv2 AES-256-OCB from the certificate), armored
#   ours v2       pgpmail-stream encrypt --aead ocb --cipher aes256 to the same v6 key
#   ours v2 raw   the same without signature and without armor: encryption throughput (MB/s)
# Before timing, gpg decrypts ours v1, pysequoia decrypts ours v2, and we decrypt both
# peers' outputs; each plaintext is compared with the input.
#
# Needs gpg, sqop, python3 with pysequoia, GNU time at /usr/bin/time, swift, awk.
set -euo pipefail
runs=3
mib=256
keep=0
while (($#)); do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --mib) mib=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in gpg sqop python3 swift awk sha256sum; do
    command -v "$tool" >/dev/null || { echo "compare-rfc9580.sh: $tool is missing" >&2; exit 1; }
done
python3 -c "import pysequoia" 2>/dev/null || { echo "compare-rfc9580.sh: pip install pysequoia" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "compare-rfc9580.sh: GNU time is missing (apt-get install time)" >&2; exit 1; }
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "== Building pgpmail-stream (release)"
swift build -c release --package-path "$bench_dir" --product pgpmail-stream >&2
stream="$bench_dir/.build/release/pgpmail-stream"

work=$(mktemp -d)
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
cleanup() {
    gpgconf --kill gpg-agent 2>/dev/null || true
    if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"

echo "== Keys and a ${mib} MiB random file"
gpg --batch --passphrase '' --quick-generate-key "Bench <bench@example.org>" ed25519 cert,sign never 2>/dev/null
fpr=$(gpg --with-colons --list-keys bench@example.org | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --passphrase '' --quick-add-key "$fpr" cv25519 encr never 2>/dev/null
gpg --armor --export "$fpr" > v4.cert
gpg --batch --pinentry-mode loopback --passphrase '' --armor --export-secret-keys "$fpr" > v4.key
python3 - <<'PY'
from pysequoia import Tsk, Profile
tsk = Tsk.generate("Bench6 <bench6@example.org>", profile=Profile.RFC9580)
open("v6.key", "w").write(str(tsk))
open("v6.cert", "w").write(str(tsk.extract_certificate()))
PY
head -c $((mib * 1048576)) /dev/urandom > data
want=$(sha256sum < data)

cat > pysequoia_encrypt.py <<'PY'
import sys
from pysequoia import Tsk, Cert, encrypt
tsk = Tsk.from_file("v6.key")
cert = Cert.from_file("v6.cert")
open(sys.argv[2], "wb").write(encrypt(open(sys.argv[1], "rb").read(), [cert], signer=tsk.signer()))
PY
cat > pysequoia_decrypt.py <<'PY'
import sys
from pysequoia import Tsk, Cert, decrypt
tsk = Tsk.from_file("v6.key")
signer = Cert.from_file(sys.argv[3])
result = decrypt(open(sys.argv[1], "rb").read(), decryptor=tsk.decryptor(), store=lambda ids: [signer])
assert result.valid_sigs, "no valid signature"
open(sys.argv[2], "wb").write(result.bytes)
PY

run_gpg_v1() { gpg --batch --yes --sign --encrypt --armor -r "$fpr" --compress-algo none --cipher-algo AES \
    --digest-algo SHA256 -o out.gpg.asc data; }
run_sqop_v1() { sqop encrypt --sign-with=v4.key v4.cert < data > out.sqop.asc; }
run_ours_v1() { "$stream" encrypt --in data --out out.v1.asc --cert v4.cert --sign-with v4.key \
    --compression none --cipher aes128 --hash sha256 --aead none; }
run_pysequoia_v2() { python3 pysequoia_encrypt.py data out.pysequoia.asc; }
run_ours_v2() { "$stream" encrypt --in data --out out.v2.asc --cert v6.cert --sign-with v6.key \
    --compression none --cipher aes256 --hash sha256 --aead ocb; }
run_ours_v2_raw() { "$stream" encrypt --in data --out out.v2.bin --cert v6.cert --compression none \
    --cipher aes256 --aead ocb --no-armor; }
tools=(gpg_v1 sqop_v1 ours_v1 pysequoia_v2 ours_v2 ours_v2_raw)

echo "== Checking every output"
for tool in "${tools[@]}"; do "run_$tool"; done
check() { [[ "$(sha256sum < "$1")" == "$want" ]] || { echo "$2: plaintext differs" >&2; exit 1; }; }
gpg --batch --yes --decrypt -o back.gpg out.v1.asc 2>/dev/null && check back.gpg "gpg reading ours v1"
"$stream" decrypt --in out.gpg.asc --out back.1 --key v4.key --verify-with v4.cert && check back.1 "ours reading gpg"
"$stream" decrypt --in out.sqop.asc --out back.2 --key v4.key --verify-with v4.cert && check back.2 "ours reading sqop"
python3 pysequoia_decrypt.py out.v2.asc back.3 v6.cert && check back.3 "pysequoia reading ours v2"
"$stream" decrypt --in out.pysequoia.asc --out back.4 --key v6.key --verify-with v6.cert && check back.4 "ours reading pysequoia"
"$stream" decrypt --in out.v2.bin --out back.5 --key v6.key && check back.5 "ours reading ours v2 raw"
rm -f back.*

echo "== Timing ($runs runs, interleaved)"
for ((run = 1; run <= runs; run++)); do
    for tool in "${tools[@]}"; do
        /usr/bin/time -f "$tool %e %U %S %M" -a -o times.txt bash -c "$(declare -f "run_$tool"); \
            stream='$stream' fpr='$fpr' GNUPGHOME='$GNUPGHOME' run_$tool"
    done
done

echo
echo "load averages: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; ${mib} MiB"
echo
echo "| case | wall s | CPU s | wall / gpg v1 | MB/s | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
awk -v mib="$mib" -v order="${tools[*]}" '
    function median(list,   n, a, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return a[int((n + 1) / 2)]
    }
    { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " ($3 + $4); if ($5 > rss[$1]) rss[$1] = $5 }
    END {
        n = split(order, names, " ")
        base = median(wall["gpg_v1"])
        for (i = 1; i <= n; i++) {
            t = names[i]; w = median(wall[t])
            printf "| %s | %.2f | %.2f | %.2f | %.0f | %.1f MiB |\n", t, w, median(cpu[t]), w / base, mib * 1.048576 / w, rss[t] / 1024
        }
    }' times.txt
