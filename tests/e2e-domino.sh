#!/bin/sh
# End-to-end on samples/logs/domino (two Domino servers and their Postfix
# gateway, see samples/DOMINO.md): `mailspill trace` must give exactly the
# (message, recipient, parent, status) rows written by hand in
# tests/data/domino-expected.csv (with the Directory export
# samples/domino-directory.csv) and tests/data/domino-expected-nodir.csv
# (Notes names verbatim); `mailspill stats` must recognise every line.
# --year: the gateway's syslog stamps have none; --tz UTC: Domino's have
# no zone.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
logs="$SRCDIR/samples/logs/domino"
dir="$SRCDIR/samples/domino-directory.csv"
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

cat >"$tmp/cols.py" <<'PY'
import csv, sys
COLS = ["message_id", "recipient", "parent", "status"]
with open(sys.argv[1], newline="", encoding="utf-8") as f:
	r = csv.reader(f)
	header = next(r, None)
	if header is None or any(c not in header for c in COLS):
		sys.exit("%s: header %r lacks %r" % (sys.argv[1], header, COLS))
	idx = [header.index(c) for c in COLS]
	out = csv.writer(sys.stdout, lineterminator="\n")
	for n, row in enumerate(r, 2):
		if len(row) != len(header):
			sys.exit("%s:%d: %d fields, want %d" % (sys.argv[1], n,
			    len(row), len(header)))
		out.writerow([row[i] for i in idx])
PY

compare() {	# name, expected file, trace options...
	name=$1 want=$2
	shift 2
	if ! "$MAILSPILL" trace -q --year 2026 --tz UTC "$@" \
	    -o "$tmp/$name.csv" "$logs"; then
		echo "FAIL: $name: trace exit status"
		fail=1
		return
	fi
	python3 "$tmp/cols.py" "$tmp/$name.csv" | LC_ALL=C sort >"$tmp/got" ||
	    fail=1
	python3 "$tmp/cols.py" "$want" | LC_ALL=C sort >"$tmp/want" || fail=1
	if diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
		echo "ok: $name: $(wc -l <"$tmp/want") rows as expected"
	else
		echo "FAIL: $name: rows differ from $want (- expected, + got):"
		cat "$tmp/diff"
		fail=1
	fi
}

compare directory "$SRCDIR/tests/data/domino-expected.csv" --directory "$dir"
compare names "$SRCDIR/tests/data/domino-expected-nodir.csv"

# The evidence says how a row was joined to its message and when its
# recipient is a Notes name no Directory resolved.
ev() {	# trace name, recipient: the evidence cells of its rows
	python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["recipient"] == sys.argv[2]:
        print(r["evidence"])' "$tmp/$1.csv" "$2"
}
expect_ev() {	# trace name, recipient, wanted evidence (exact)
	got=$(ev "$1" "$2")
	if [ "$got" = "$3" ]; then
		echo "ok: evidence of $2 ($1)"
	else
		echo "FAIL: evidence of $2 ($1): '$got', want '$3'"
		fail=1
	fi
}
expect_ev names s.carter@riverside-housing.example \
    "$logs/gw1/mail.log:28 (joined by Notes UNID)"
expect_ev directory s.carter@riverside-housing.example \
    "$logs/gw1/mail.log:28 (joined by Notes UNID)"
expect_ev names "Board Members" \
    "$logs/mail2/notes_20260317.log.gz:5 (name not resolved to an address)"
expect_ev names j.morgan@outlook.example \
    "$logs/gw1/mail.log:14 (joined by Message-ID)"
n=$(grep -c 'name not resolved' "$tmp/directory.csv")
[ "$n" -ge 1 ] || { echo "FAIL: directory: no unresolved member marked"; fail=1; }

"$MAILSPILL" stats --year 2026 --tz UTC "$logs" >"$tmp/stats" ||
	{ echo "FAIL: stats: exit $?"; exit 1; }
unrec=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "unrecognized") c = i }
	$1 == "total" && c { print $c; exit }' "$tmp/stats")
if [ "$unrec" = "0" ]; then
	echo "ok: stats: 0 unrecognized lines"
else
	echo "FAIL: stats: unrecognized lines: '${unrec:-no total row}'"
	"$MAILSPILL" stats --unparsed --year 2026 --tz UTC "$logs" | head -n 20
	fail=1
fi
# The day/month order of each console file, and what decided it.
orders=$(awk -F '\t' '/console2.log|notes.log/ { sub(".*/", "", $1); printf "%s=%s;", $1, $12 }' "$tmp/stats")
if [ "$orders" = "console2.log=mdy from its dates;notes.log=dmy from its dates;" ]; then
	echo "ok: stats: date orders"
else
	echo "FAIL: stats: date orders '$orders'"
	fail=1
fi
# Streams in time order whatever the mirror numbers: console2.log
# (Monday) before console1.log (Tuesday) before console.log (Wednesday).
order=$(awk -F '\t' '/console/ { sub(".*/", "", $1); printf "%s ", $1 }' \
    "$tmp/stats")
if [ "$order" = "console2.log console1.log console.log " ]; then
	echo "ok: stats: mirrors read in time order"
else
	echo "FAIL: stats: console files in order '$order'"
	fail=1
fi

# A file whose dates never show a day above 12 is reported and its lines
# are not guessed (srvA), while another server's file decides its own
# order (srvB); --date-order reads the first.
mkdir -p "$tmp/in/srvA" "$tmp/in/srvB"
printf '03/04/2026 10:00:00   Router: Message 00000001 delivered to a@b.example\n' \
    >"$tmp/in/srvA/console.log"
printf '13/04/2026 10:00:00   Router: Message 00000002 delivered to c@d.example\n' \
    >"$tmp/in/srvB/console.log"
"$MAILSPILL" trace --tz UTC -o "$tmp/amb.csv" "$tmp/in" 2>"$tmp/amb.err"
if grep -q "srvA/console.log: domino: .*undecidable" "$tmp/amb.err" &&
    ! grep -q "srvB" "$tmp/amb.err" && ! grep -q "a@b.example" "$tmp/amb.csv" &&
    grep -q '^2026-04-13T10:00:00+00:00,.*c@d.example' "$tmp/amb.csv"; then
	echo "ok: undecidable date order reported, lines not guessed"
else
	echo "FAIL: undecidable date order: $(cat "$tmp/amb.err" "$tmp/amb.csv")"
	fail=1
fi
"$MAILSPILL" trace -q --tz UTC --date-order dmy -o "$tmp/amb.csv" "$tmp/in"
if grep -q '^2026-04-03T10:00:00+00:00,.*a@b.example' "$tmp/amb.csv"; then
	echo "ok: --date-order dmy reads 03/04 as 3 April"
else
	echo "FAIL: --date-order dmy: $(cat "$tmp/amb.csv")"
	fail=1
fi
exit $fail
