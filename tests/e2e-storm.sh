#!/bin/sh
# A reply-all storm at DHS scale (7,500 subscribers, 270 replies, about
# 2 million deliveries), from logs alone: scan must report exactly one
# reply-all-storm incident holding the original and every reply, with
# every subscriber to notify. The run time is the benchmark's business.
set -u
: "${MAILSPILL:=./mailspill}" "${GEN_STORM:=./tests/gen_storm}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$GEN_STORM" 7500 270 | "$MAILSPILL" scan -q --year 2007 --tz UTC \
	--org-domain dhs.example.gov -o "$tmp/report" - >"$tmp/summary"
status=$?
if [ "$status" -ne 1 ]; then
	echo "FAIL: scan exit $status, want 1 (incidents found)"
	cat "$tmp/summary"
	exit 1
fi
python3 - "$tmp/report" <<'PY'
import csv, sys
d = sys.argv[1]
with open(d + "/incidents.csv", newline="", encoding="utf-8") as f:
    inc = list(csv.DictReader(f))
bad = []
if len(inc) != 1:
    bad.append("incidents: got %d, want 1: %s" % (len(inc), [i["type"] for i in inc]))
else:
    i = inc[0]
    ids = i["message_ids"].split()
    if i["type"] != "reply-all-storm":
        bad.append("type: got %s" % i["type"])
    if len(ids) != 271:
        bad.append("messages: got %d, want 271 (original + 270 replies)" % len(ids))
    if "<daily-report.1@dhs.example.gov>" not in ids:
        bad.append("the original is missing")
    if i["external_recipients"] != "7500":
        bad.append("external recipients: got %s, want 7500" % i["external_recipients"])
    if i["delivered"] != str(7500 * 271):
        bad.append("delivered: got %s, want %d" % (i["delivered"], 7500 * 271))
    with open(d + "/incidents/" + i["incident_id"] + ".csv", newline="", encoding="utf-8") as f:
        people = list(csv.DictReader(f))
    notify = {p["email"] for p in people if p["action"] == "notify"}
    want = {"s%05d@subscriber%d.example" % (k, k % 97) for k in range(7500)}
    if notify != want:
        bad.append("notify: %d missing, %d extra" % (len(want - notify), len(notify - want)))
    repliers = {p["email"] for p in people if p["role"] == "replier"}
    want_r = {"s%05d@subscriber%d.example" % ((k * 7) % 7500, ((k * 7) % 7500) % 97) for k in range(1, 271)}
    if repliers != want_r:
        bad.append("repliers: got %d, want %d" % (len(repliers), len(want_r)))
    if len(people) != len(set(p["email"] for p in people)):
        bad.append("a person listed twice")
for b in bad:
    print("FAIL:", b)
if bad:
    sys.exit(1)
print("ok: one storm, 271 messages, 7500 to notify, %d repliers" % len(repliers))
PY
