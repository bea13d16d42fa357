#!/bin/sh
# End-to-end with the mail archives: on each realmta corpus, logs and
# mail/ together must still pass ../shared/tools/score, with visibility
# >= 99.5% accurate among covered pairs, and the Bcc bulk mail's
# recipients never to/cc. mail/ alone must give rows from the headers
# (status unknown). Skips (77) when ../shared is not beside the project.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
shared="$SRCDIR/../shared"
corpus="$shared/corpus/realmta"
[ -d "$corpus" ] || { echo "no ../shared: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for v in postfix-postlogd postfix-rsyslog postfix-headerlog exim; do
	mkdir -p "$tmp/$v"
	cp -r "$corpus/$v/logs" "$corpus/$v/mail" "$corpus/$v/mtimes.json" \
	    "$tmp/$v/"
	chmod -R u+w "$tmp/$v"
	python3 "$corpus/set-mtimes" "$tmp/$v" >/dev/null || exit 1
	if ! (cd "$tmp/$v" && "$MAILSPILL" trace -q --tz UTC \
	    -o "$tmp/$v.csv" logs mail); then
		echo "FAIL: $v: trace exit status"; fail=1; continue
	fi
	python3 "$shared/tools/score" --json --trace "$tmp/$v.csv" \
	    "$corpus/$v/truth.json" >"$tmp/$v.json"
	python3 "$shared/tools/score" --trace "$tmp/$v.csv" \
	    "$corpus/$v/truth.json" >"$tmp/$v.score"
	# Bulk Bcc mail: the message whose To: is undisclosed-recipients.
	if ! python3 - "$tmp/$v.json" "$tmp/$v.csv" "$corpus/$v/truth.json" \
	    "$v" <<'PY'
import csv, json, os, sys
score, trace, truth, name = sys.argv[1:5]
s = json.load(open(score))
t = s.get("trace", s)
vis = t["visibility"]
ok = t.get("pass", s.get("pass"))
acc = vis["correct"] / vis["covered"] if vis["covered"] else 0
arch = (vis["archived_messages"], vis["archived_messages_covered"])
bulk = {m["message_id"].strip("<>").lower()
        for m in json.load(open(truth))["messages"]
        if m.get("kind") == "bcc_bulk"}
bad = [r["recipient"] for r in csv.DictReader(open(trace, newline=""))
       if r["message_id"].strip("<>").lower() in bulk
       and r["visibility"] in ("to", "cc")]
print("%s: pass=%s visibility coverage %d/%d accuracy %.2f%% "
      "archived covered %d/%d bulk Bcc messages %d, to/cc rows %d"
      % (name, ok, vis["covered"], vis["total"], 100 * acc, arch[1],
         arch[0], len(bulk), len(bad)))
def need(cond, what):
    if not cond:
        print("%s: FAIL %s" % (name, what))
    return cond
res = [need(ok, "outcomes"), need(acc >= 0.995, "accuracy"),
       need(arch[0] == arch[1], "archived"), need(not bad, "bulk")]
sys.exit(0 if all(res) else 1)
PY
	then
		echo "FAIL: $v"; cat "$tmp/$v.score"; fail=1
	fi
done
# Exim delivers a mailbox once even when it was addressed both itself
# (Cc:) and through a list (To:): the Cc'd address still gets a row of
# its own, with that delivery's outcome. An address the copy names but
# Exim refused at RCPT time is refused, under the message's ID.
grep -F '<20250917091433.6c6e0b6fbf4f1a41@mail.stourmouth.gov.uk>' \
    "$tmp/exim.csv" | grep -F ',harry.powell@stourmouth.gov.uk,,sent,cc,' \
    >/dev/null || { echo "FAIL: exim: Cc'd list member has no own row"; fail=1; }
n=$(grep -F ',planing@stourmouth.gov.uk,,rejected,' "$tmp/exim.csv" |
    grep -c '^[^,]*,<')
[ "$n" -eq 2 ] || { echo "FAIL: exim: $n refused header addresses with a Message-ID, want 2"; fail=1; }
# Archives alone: every row from headers, status unknown, visibility set.
v=postfix-postlogd
if (cd "$tmp/$v" && "$MAILSPILL" trace -q --tz UTC -o "$tmp/only.csv" mail)
then
	rows=$(sed 1d "$tmp/only.csv" | wc -l)
	unk=$(sed 1d "$tmp/only.csv" | grep -c ',unknown,')
	nov=$(sed 1d "$tmp/only.csv" | cut -d, -f7 | grep -c '^unknown$')
	echo "mail only: $rows rows, $unk with status unknown"
	[ "$rows" -gt 100 ] && [ "$rows" -eq "$unk" ] || {
		echo "FAIL: mail only: $rows rows, $unk unknown"; fail=1; }
	[ "$nov" -eq 0 ] || { echo "FAIL: mail only: $nov rows without visibility"; fail=1; }
else
	echo "FAIL: mail only: trace exit status"; fail=1
fi
exit $fail
