#!/bin/sh
# Postfix (mx1) and Exim (hub) relaying to each other, in one directory:
# one message per Message-ID, each recipient's outcome from the last hop
# (inbound: hub's local deliveries and its bounce, not mx1's hand-over;
# outbound: mx1's delivery and deferral, not hub's hand-over).
# tests/data/mixed-expected.csv was written by hand from the logs.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$MAILSPILL" trace -q --year 2025 --tz UTC -o "$tmp/trace.csv" \
	"$SRCDIR/tests/data/mixed" || { echo "FAIL: trace exit $?"; exit 1; }
python3 - "$tmp/trace.csv" "$SRCDIR/tests/data/mixed-expected.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    got = sorted((r["message_id"], r["recipient"], r["status"], r["host"]) for r in csv.DictReader(f))
with open(sys.argv[2], newline="", encoding="utf-8") as f:
    want = sorted((r["message_id"], r["recipient"], r["status"], r["host"]) for r in csv.DictReader(f))
if got != want:
    print("FAIL: got", got, "want", want, sep="\n")
    sys.exit(1)
print("ok: %d rows, one message per Message-ID, outcomes from the last hop" % len(got))
PY
