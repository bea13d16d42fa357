#!/bin/sh
# Recognition of other projects' real log lines (../shared/corpus/peers):
# every Postfix and Exim line that carries a message (a queue ID, NOQUEUE,
# an Exim message ID) is taken from the sources' test cases (JSON lines)
# and log files, written one file per source, and read by `mailspill
# stats --unparsed`. At least 99% of the message-bearing lines of each
# MTA must be recognized (as an event or known context); the others are
# listed. Skips (77) when ../shared is not beside the project.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
peers="$SRCDIR/../shared/corpus/peers"
[ -d "$peers" ] || { echo "no ../shared: skipped"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

python3 - "$peers" "$tmp/lines" <<'PY' || exit 1
import gzip, json, os, re, sys
peers, out = sys.argv[1:3]
os.makedirs(out)
PF = re.compile(r"\bpostfix[-\w]*(/[-\w]+)+\[\d+\]: "
                r"([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}|NOQUEUE): ")
EX = re.compile(r"^(\S+ \S+ )?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?"
                r"( [-+]\d{4})?( \[\d+\])? [0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-"
                r"[0-9A-Za-z]{2,4} |exim\[\d+\]: .*\b[0-9A-Za-z]{6}-"
                r"[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} ")
def lines_of(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt", encoding="utf-8", errors="replace") as f:
        if path.endswith(".jsonl"):
            for l in f:
                try:
                    case = json.loads(l)
                except ValueError:
                    continue
                if isinstance(case.get("line"), str):
                    yield case["line"]
                for x in case.get("lines") or []:
                    if isinstance(x, str):
                        yield x
        else:
            for l in f:
                yield l.rstrip("\n")
n = 0
for src in sorted(os.listdir(peers)):
    for root, dirs, files in os.walk(os.path.join(peers, src)):
        dirs.sort()
        for name in sorted(files):
            if name.startswith("PROVENANCE"):
                continue
            path = os.path.join(root, name)
            try:
                got = [l for l in lines_of(path) if PF.search(l) or EX.search(l)]
            except (OSError, UnicodeError, EOFError):
                continue
            if not got:
                continue
            n += 1
            kind = "pf" if PF.search(got[0]) else "ex"
            rel = os.path.relpath(path, peers).replace("/", "__")
            with open(os.path.join(out, "%s.%s.log" % (rel, kind)), "w",
                      encoding="utf-8") as f:
                f.write("\n".join(got) + "\n")
print("peers: %d files with message-bearing lines" % n)
PY

# Postfix and Exim lines apart: each file is one MTA's.
mkdir "$tmp/pf" "$tmp/ex"
mv "$tmp"/lines/*.pf.log "$tmp/pf/" 2>/dev/null
mv "$tmp"/lines/*.ex.log "$tmp/ex/" 2>/dev/null
fail=0
for mta in pf ex; do
	"$MAILSPILL" stats --unparsed --year 2024 --tz UTC "$tmp/$mta" \
	    >"$tmp/$mta.stats" 2>/dev/null
	python3 - "$tmp/$mta.stats" "$mta" <<'PY' || fail=1
import sys
path, mta = sys.argv[1:3]
unrec, total, on = [], None, False
for l in open(path, encoding="utf-8", errors="replace"):
    l = l.rstrip("\n")
    if l.startswith("# unrecognized"):
        on = True
        continue
    if l.startswith("input\t"):
        on = False
        continue
    if on and l:
        unrec.append(l)
    f = l.split("\t")
    if f[0] == "total":
        total = int(f[3]), int(f[7])
lines, bad = total
share = 100.0 * (lines - bad) / lines if lines else 0.0
name = {"pf": "Postfix", "ex": "Exim"}[mta]
print("%s: %d of %d message-bearing lines recognized (%.2f%%)" %
      (name, lines - bad, lines, share))
for u in unrec:
    print("  unrecognized:", u[:300])
if lines < 100 or share < 99.0:
    print("FAIL: %s: want at least 99%% of at least 100 lines" % name)
    sys.exit(1)
PY
done
exit $fail
