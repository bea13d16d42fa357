#!/bin/sh
# End-to-end for `mailspill trace --attempts` (every try at each
# recipient): on samples/logs, a Postfix message deferred 26 times and
# then expired, a message relayed from mx1 to mbox1 (a try on each hop),
# a NOQUEUE refusal; on a small Exim main log written here, a greylisted
# recipient delivered on the second try and a bounced one. Every row of
# the plain trace that came from a log line must be the last try of its
# recipient in the attempts table.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
logs="$SRCDIR/samples/logs"
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$MAILSPILL" trace -q --year 2026 --tz UTC -o "$tmp/trace.csv" "$logs" ||
	{ echo "FAIL: trace: exit $?"; exit 1; }
"$MAILSPILL" trace -q --year 2026 --tz UTC --attempts -o "$tmp/att.csv" \
    "$logs" || { echo "FAIL: trace --attempts: exit $?"; exit 1; }
"$MAILSPILL" trace -q --year 2026 --tz UTC --attempts --queue-id E8D592A1C4F \
    -o "$tmp/one.csv" "$logs" || { echo "FAIL: --queue-id: exit $?"; exit 1; }

mkdir "$tmp/in"
cat >"$tmp/in/exim.log" <<'EOF'
2025-01-06 06:00:00 1tUg9g-009rsE-np <= alice@example.org H=(x.example.org) [192.0.2.1] P=esmtp S=1000 id=abc@example.org T="Hello"
2025-01-06 06:00:01 1tUg9g-009rsE-np == bob@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.9]: SMTP error from remote mail server after RCPT TO:<bob@example.net>: 451 4.7.1 Greylisted
2025-01-06 06:00:01 1tUg9g-009rsE-np ** carol@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.9]: SMTP error from remote mail server after RCPT TO:<carol@example.net>: 550 5.1.1 No such user
2025-01-06 06:15:01 1tUg9g-009rsE-np => bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.9] C="250 OK id=1abc"
2025-01-06 06:15:01 1tUg9g-009rsE-np Completed
EOF
"$MAILSPILL" trace -q --tz UTC --host mx9 --attempts -o "$tmp/exim.csv" \
    "$tmp/in/exim.log" || { echo "FAIL: exim --attempts: exit $?"; exit 1; }

python3 - "$tmp" <<'EOF'
import csv, sys
tmp = sys.argv[1]
HEAD = ["time", "message_id", "sender", "recipient", "parent", "attempt",
	"status", "host", "queue_id", "relay", "dsn", "reply", "evidence"]
fails = []

def load(name):
	with open(f"{tmp}/{name}", newline="", encoding="utf-8") as f:
		r = list(csv.reader(f))
	return r[0], [dict(zip(r[0], row)) for row in r[1:]]

def check(cond, what):
	if not cond:
		fails.append(what)

head, one = load("one.csv")
check(head == HEAD, f"header {head}")
check(len(one) == 27, f"E8D592A1C4F: {len(one)} tries, want 27")
check([int(r["attempt"]) for r in one] == list(range(1, 28)),
	"E8D592A1C4F: tries not numbered 1..27")
check(all(r["status"] == "deferred" for r in one[:26]),
	"E8D592A1C4F: the first 26 tries are not all deferred")
check(one and one[-1]["status"] == "expired", "E8D592A1C4F: last not expired")
check(one and one[0]["time"] == "2026-03-09T10:40:43+00:00",
	f"E8D592A1C4F: first try at {one and one[0]['time']}")
check(one and one[0]["reply"] == "connect to mail.brampton-parva-pc.org.uk"
	"[192.0.2.77]:25: Connection timed out", "E8D592A1C4F: reply text")
check(one and one[0]["dsn"] == "4.4.1" and one[0]["relay"] == "none",
	"E8D592A1C4F: dsn/relay of the first try")
check(one and one[0]["evidence"].endswith("mail.log.2.gz:102"),
	f"E8D592A1C4F: evidence {one and one[0]['evidence']}")
check(all(r["recipient"] == "clerk@brampton-parva-pc.org.uk" for r in one),
	"E8D592A1C4F: another recipient")

_, att = load("att.csv")
relayed = [r for r in att if r["recipient"] == "priya.nair@wrenfield.gov.uk"
	and r["message_id"] == "<20260309071203.5c1e2f.jferris@mail.ellerby-housing.org.uk>"]
check([(r["attempt"], r["host"], r["status"], r["relay"]) for r in relayed] ==
	[("1", "mx1", "sent", "mbox1.wrenfield.gov.uk[10.0.0.5]:25"),
	 ("2", "mbox1", "sent", "local")], f"relayed message: {relayed}")
check(relayed and relayed[0]["reply"] == "250 2.0.0 Ok: queued as 725DE8E1F1",
	"relayed message: first hop's reply")
noq = [r for r in att if r["recipient"] == "info@wrenfield.gov.uk"
	and r["sender"] == "m.payroll@wrenfield-gov.example"]
check(len(noq) == 1 and noq[0]["status"] == "rejected" and
	noq[0]["dsn"] == "5.7.1" and noq[0]["message_id"] == "",
	f"NOQUEUE refusal: {noq}")

# The last try of each recipient row is its outcome in the plain trace.
_, trace = load("trace.csv")
last = {}
for r in att:
	last[(r["message_id"], r["recipient"], r["parent"], r["sender"])] = r
checked = 0
for t in trace:
	if t["status"] == "unknown":
		continue
	a = last.get((t["message_id"], t["recipient"], t["parent"], t["sender"]))
	if a is None:
		fails.append(f"no tries for {t['message_id']} {t['recipient']}")
		continue
	checked += 1
	check(a["status"] == t["status"] and a["evidence"] == t["evidence"],
		f"{t['message_id']} {t['recipient']}: last try {a['status']} "
		f"{a['evidence']}, trace {t['status']} {t['evidence']}")
check(checked >= 100, f"only {checked} trace rows checked")

_, ex = load("exim.csv")
got = [(r["recipient"], r["attempt"], r["status"], r["dsn"], r["reply"])
	for r in ex]
want = [("bob@example.net", "1", "deferred", "4.7.1",
	"SMTP error from remote mail server after RCPT TO:<bob@example.net>: "
	"451 4.7.1 Greylisted"),
	("bob@example.net", "2", "sent", "", "250 OK id=1abc"),
	("carol@example.net", "1", "bounced", "5.1.1",
	"SMTP error from remote mail server after RCPT TO:<carol@example.net>: "
	"550 5.1.1 No such user")]
check(got == want, f"exim: {got}")
check(all(r["relay"] == "mx.example.net [192.0.2.9]" and r["host"] == "mx9"
	for r in ex), "exim: relay or host")

for f in fails:
	print("FAIL:", f)
if not fails:
	print(f"ok: attempts ({len(att)} tries; {checked} outcomes are last tries)")
sys.exit(1 if fails else 0)
EOF
