#!/bin/sh
# End-to-end on samples/logs (two hosts of a fictional council, see
# samples/README): `mailspill trace` must give exactly the (message,
# recipient, parent, status) rows of tests/data/samples-expected.csv, which
# was written by hand from the design of the samples; `mailspill stats`
# must recognise every line. --year: version control drops the file times
# that year inference would otherwise use.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
logs="$SRCDIR/samples/logs"
want="$SRCDIR/tests/data/samples-expected.csv"
# samples/logs/domino/ (see samples/DOMINO.md), read without --directory.
want_domino="$SRCDIR/tests/data/domino-expected-nodir.csv"
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

"$MAILSPILL" trace -q --year 2026 --tz UTC -o "$tmp/trace.csv" "$logs" ||
	{ echo "FAIL: trace: exit $?"; exit 1; }

# Both sides through the csv module: the trace is RFC 4180 with CRLF and
# may quote cells; compare the four columns in one canonical form.
cat >"$tmp/cols.py" <<'EOF'
import csv, sys
TRACE = ["time", "message_id", "sender", "recipient", "parent", "status",
	"visibility", "host", "queue_id", "relay", "dsn", "subject", "evidence"]
COLS = ["message_id", "recipient", "parent", "status"]
path, want_header = sys.argv[1], TRACE if sys.argv[2] == "trace" else COLS
with open(path, newline="", encoding="utf-8") as f:
	r = csv.reader(f)
	header = next(r, None)
	if header != want_header:
		sys.exit("%s: header %r, want %r" % (path, header, want_header))
	idx = [header.index(c) for c in COLS]
	out = csv.writer(sys.stdout, lineterminator="\n")
	for n, row in enumerate(r, 2):
		if len(row) != len(header):
			sys.exit("%s:%d: %d fields, want %d" % (path, n, len(row), len(header)))
		out.writerow([row[i] for i in idx])
EOF
python3 "$tmp/cols.py" "$tmp/trace.csv" trace >"$tmp/got.raw" || fail=1
python3 "$tmp/cols.py" "$want" expected >"$tmp/want.raw" || fail=1
python3 "$tmp/cols.py" "$want_domino" expected >>"$tmp/want.raw" || fail=1
LC_ALL=C sort "$tmp/got.raw" >"$tmp/got"
LC_ALL=C sort "$tmp/want.raw" >"$tmp/want"
if [ "$fail" -eq 0 ] && diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
	echo "ok: trace: $(wc -l <"$tmp/want") rows as expected"
else
	echo "FAIL: trace rows differ from the expected files (- expected, + got):"
	cat "$tmp/diff"
	fail=1
fi

# The sent copies in sent-items/: the invitation's 25 recipients were
# all visible in To:, the bulletin's 30 were all Bcc'd.
vis=$(python3 - "$tmp/trace.csv" <<'PY'
import csv, sys
inv, bul = "<20260309113104.4a7c91e02b6d5f3a@", "<20260309140002.c08e4f1a93d2b7e6@"
seen = {}
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    for tag, mid in (("invitation", inv), ("bulletin", bul)):
        if r["message_id"].startswith(mid) and r["sender"] != r["recipient"]:
            seen.setdefault(tag, []).append(r["visibility"])
print(" ".join("%s=%d:%s" % (t, len(v), ",".join(sorted(set(v))))
               for t, v in sorted(seen.items())))
PY
)
if [ "$vis" = "bulletin=30:bcc invitation=25:to" ]; then
	echo "ok: visibility from the sent copies"
else
	echo "FAIL: visibility: '$vis'"
	fail=1
fi

# stats: the "total" row's unrecognized column must be 0.
"$MAILSPILL" stats --year 2026 --tz UTC "$logs" >"$tmp/stats" ||
	{ echo "FAIL: stats: exit $?"; exit 1; }
unrec=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "unrecognized") c = i }
	$1 == "total" && c { print $c; exit }' "$tmp/stats")
if [ "$unrec" = "0" ]; then
	echo "ok: stats: 0 unrecognized lines"
else
	echo "FAIL: stats: unrecognized lines: '${unrec:-no total row}'"
	"$MAILSPILL" stats --unparsed --year 2026 --tz UTC "$logs" |
	    awk '/^# unrecognized/ { on = 1; next } /^input\t/ { exit } on' | head -n 20
	fail=1
fi
# scan's deliveries.csv is the trace, byte for byte (test_model checks
# that the look-ahead reconstruction gives what the one-thread one does).
"$MAILSPILL" scan -q --year 2026 --tz UTC -o "$tmp/report" "$logs" >/dev/null
if cmp "$tmp/trace.csv" "$tmp/report/deliveries.csv" >/dev/null; then
	echo "ok: scan's deliveries.csv is the trace"
else
	echo "FAIL: scan's deliveries.csv differs from the trace"
	fail=1
fi

# Outputs hold personal data: never beside an input file nor inside an
# input directory, and nothing is created when refused.
mkdir "$tmp/ev" && cp "$logs/mx1/mail.log" "$tmp/ev/" || exit 1
refused() {	# what, command...
	what=$1
	shift
	"$@" >/dev/null 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 2 ] && grep -q 'among the inputs' "$tmp/err"; then
		echo "ok: refused: $what"
	else
		echo "FAIL: not refused (exit $st): $what"
		fail=1
	fi
}
refused "scan folder beside an input file" \
    "$MAILSPILL" scan -q --year 2026 -o "$tmp/ev/report" "$tmp/ev/mail.log"
refused "scan folder inside an input directory" \
    "$MAILSPILL" scan -q --year 2026 -o "$tmp/ev/sub/report/" "$tmp/ev"
refused "scan into the input directory itself, even with --force" \
    "$MAILSPILL" scan -q --force --year 2026 -o "$tmp/ev" "$tmp/ev"
refused "trace CSV beside an input file" \
    "$MAILSPILL" trace -q --year 2026 -o "$tmp/ev/out.csv" "$tmp/ev/mail.log"
if [ "$(ls "$tmp/ev")" != "mail.log" ]; then
	echo "FAIL: something was written among the inputs: $(ls "$tmp/ev")"
	fail=1
fi
exit $fail
