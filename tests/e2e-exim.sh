#!/bin/sh
# End-to-end on the realmta Exim corpus: the trace of its logs must pass
# ../shared/tools/score (every message found, >= 99.5% outcomes), and
# the same NOQUEUE reject read from mainlog and rejectlog must give one
# row. Skips (77) when ../shared is not beside the project.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
shared="$SRCDIR/../shared"
src="$shared/corpus/realmta/exim"
[ -d "$src" ] || { echo "no ../shared: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir -p "$tmp/exim"
cp -r "$src/logs" "$src/mtimes.json" "$tmp/exim/"
chmod -R u+w "$tmp/exim"
python3 "$shared/corpus/realmta/set-mtimes" "$tmp/exim" >/dev/null || exit 1
# Relative paths: the host of a plain mainlog comes from its directory.
if ! (cd "$tmp/exim" && "$MAILSPILL" trace -q --tz UTC -o "$tmp/exim.csv" logs/); then
	echo "FAIL: exim: trace exit status"
	exit 1
fi
if python3 "$shared/tools/score" --trace "$tmp/exim.csv" "$src/truth.json" >"$tmp/exim.score"; then
	echo "ok: exim: $(tail -n 1 "$tmp/exim.score")"
else
	echo "FAIL: exim"; cat "$tmp/exim.score"; fail=1
fi
# One host for all six files, and each refused recipient once.
hosts=$(cut -d, -f8 "$tmp/exim.csv" | sed 1d | sort -u | wc -l)
[ "$hosts" -eq 1 ] || { echo "FAIL: exim: $hosts hosts, want 1"; fail=1; }
rej=$(grep -c ',rejected,' "$tmp/exim.csv")
[ "$rej" -eq 7 ] || { echo "FAIL: exim: $rej rejected rows, want 7"; fail=1; }
exit $fail
