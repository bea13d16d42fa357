#!/bin/sh
# The DHS-scale reply-all storm of e2e-storm.sh (7,500 subscribers, 270
# replies, about 2 million deliveries), this time from one Domino
# server's console log (gen_storm --domino): the newsletter comes in over
# SMTP from an outside sender to the list osir-daily@dhs.example.gov, the
# Router relays a copy to every member through the SMTP gateway, and so
# again for each reply. scan must report exactly one reply-all-storm
# incident holding the original and every reply, with every subscriber
# to notify.
#
# Options: the dates (10/03/2007) have no day above 12, so the order is
# given (--date-order mdy; dmy would put the storm in March); Domino
# stamps carry no zone (--tz UTC); the lines name no server (--host).
#
# The list address: the SMTP Recipient line names it as the only
# envelope recipient, and the Router lines name only members, so the
# members were expanded from it: it is their parent (deliveries.csv),
# not a recipient of its own: 7,500 distinct recipients, all outside.
# The scan time is printed, never asserted.
set -u
: "${MAILSPILL:=./mailspill}" "${GEN_STORM:=./tests/gen_storm}"
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

now() {		# nanoseconds, or nothing where date lacks %N
	date +%s%N 2>/dev/null | sed -n '/^[0-9][0-9]*$/p'
}

"$GEN_STORM" --domino 7500 270 | {
	t0=$(now)
	"$MAILSPILL" scan -q --tz UTC --date-order mdy --host mail1 \
	    --org-domain dhs.example.gov -o "$tmp/report" - >"$tmp/summary"
	echo $? >"$tmp/status"
	t1=$(now)
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		echo "scan of the Domino storm: $(( (t1 - t0) / 1000000 )) ms"
	fi
}
status=$(cat "$tmp/status")
if [ "$status" -ne 1 ]; then
	echo "FAIL: scan exit $status, want 1 (incidents found)"
	cat "$tmp/summary"
	exit 1
fi
python3 - "$tmp/report" <<'PY'
import csv, json, sys
from collections import Counter
d = sys.argv[1]
N, R = 7500, 270
LIST = "osir-daily@dhs.example.gov"
EDITOR = "editor@osir-editor.example"
bad = []

def member(k):
    return "s%05d@subscriber%d.example" % (k, k % 97)

with open(d + "/report.json", encoding="utf-8") as f:
    rep = json.load(f)
ins = rep["inputs"]
# Per message: connect, Originator, Recipient, received, disconnect, N
# transfers, the batch summary; every line a shape the parser knows.
want_lines = (R + 1) * (5 + N + 1)
if len(ins) != 1 or ins[0]["format"] != "domino":
    bad.append("inputs: got %s, want one domino stream" %
               [(i["name"], i["format"]) for i in ins])
elif ins[0]["lines"] != want_lines or ins[0]["unrecognized"] != 0:
    bad.append("input: got %d lines, %d unrecognized; want %d, 0" %
               (ins[0]["lines"], ins[0]["unrecognized"], want_lines))

with open(d + "/incidents.csv", newline="", encoding="utf-8") as f:
    inc = list(csv.DictReader(f))
if len(inc) != 1:
    bad.append("incidents: got %d, want 1: %s" % (len(inc), [i["type"] for i in inc]))
    people = []
else:
    i = inc[0]
    ids = i["message_ids"].split()
    want_ids = ["<daily-report.1@osir-editor.example>"] + \
        ["<reply.%d@subscriber%d.example>" % (k, (k * 7) % 97) for k in range(1, R + 1)]
    if i["type"] != "reply-all-storm":
        bad.append("type: got %s, want reply-all-storm" % i["type"])
    if len(ids) != R + 1:
        bad.append("messages: got %d, want %d (original + %d replies)" % (len(ids), R + 1, R))
    if set(ids) != set(want_ids):
        bad.append("message ids: %d missing, %d extra" %
                   (len(set(want_ids) - set(ids)), len(set(ids) - set(want_ids))))
    if i["sender"] != EDITOR:
        bad.append("sender: got %s, want %s" % (i["sender"], EDITOR))
    # 10/03/2007 read month first: 3 October, 09:30 to the last reply.
    if i["first_seen"] != "2007-10-03T09:30:00+00:00" or \
            i["last_seen"] != "2007-10-03T12:30:00+00:00":
        bad.append("span: got %s .. %s, want 2007-10-03 09:30 .. 12:30 UTC" %
                   (i["first_seen"], i["last_seen"]))
    if i["recipients"] != str(N):
        bad.append("recipients: got %s, want %d (the members)" %
                   (i["recipients"], N))
    if i["external_recipients"] != str(N):
        bad.append("external recipients: got %s, want %d" % (i["external_recipients"], N))
    if i["delivered"] != str(N * (R + 1)):
        bad.append("delivered: got %s, want %d" % (i["delivered"], N * (R + 1)))
    with open(d + "/incidents/" + i["incident_id"] + ".csv", newline="", encoding="utf-8") as f:
        people = list(csv.DictReader(f))

members = {member(k) for k in range(N)}
repliers_want = {member((k * 7) % N) for k in range(1, R + 1)}
roles = Counter(p["role"] for p in people)
by_role = lambda r: {p["email"] for p in people if p["role"] == r}
notify = {p["email"] for p in people if p["action"] == "notify"}
if len(people) != len({p["email"] for p in people}):
    bad.append("a person listed twice")
# Every subscriber once: the repliers as such, the others exposed; the
# outside editor's address went to the whole list too; nobody else.
if roles["replier"] != R:
    bad.append("role replier: got %d rows, want %d" % (roles["replier"], R))
if by_role("replier") != repliers_want:
    bad.append("repliers: %d missing, %d extra" % (len(repliers_want - by_role("replier")),
                                                  len(by_role("replier") - repliers_want)))
if roles["exposed"] != N - R + 1:
    bad.append("role exposed: got %d rows, want %d" % (roles["exposed"], N - R + 1))
if by_role("exposed") != (members - repliers_want) | {EDITOR}:
    bad.append("exposed: not the other subscribers and the editor")
if set(roles) != {"replier", "exposed"} or len(people) != N + 1:
    bad.append("others: got roles %s, %d people, want %d" %
               (sorted(set(roles) - {"replier", "exposed"}), len(people), N + 1))
# The members' rows name the list they were expanded from.
with open(d + "/deliveries.csv", newline="", encoding="utf-8") as f:
    rows = [r for _, r in zip(range(2000), csv.DictReader(f))]
parents = {r["parent"] for r in rows if r["recipient"] in members}
if parents != {LIST}:
    bad.append("parents of members' rows: got %s, want %s" % (sorted(parents)[:3], LIST))
if notify != members | {EDITOR}:
    bad.append("notify: %d missing, %d extra" % (len((members | {EDITOR}) - notify),
                                                len(notify - (members | {EDITOR}))))
unsent = [p["email"] for p in people if p["email"] in members and p["delivery_status"] != "sent"]
if unsent:
    bad.append("%d subscribers not marked sent, e.g. %s" % (len(unsent), unsent[0]))
for b in bad:
    print("FAIL:", b)
if bad:
    sys.exit(1)
print("ok: one storm, %d messages, %d to notify, %d repliers, %d exposed" %
      (R + 1, len(notify), roles["replier"], roles["exposed"]))
PY
