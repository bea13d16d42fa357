#!/bin/sh
# End-to-end on the realmta corpus: trace of every Postfix variant must
# pass ../shared/tools/score (every message found, >= 99.5% outcomes).
# Skips (77) when ../shared is not beside the project.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
shared="$SRCDIR/../shared"
[ -d "$shared/corpus/realmta" ] || { echo "no ../shared: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for v in postfix-postlogd postfix-rsyslog postfix-headerlog; do
	src="$shared/corpus/realmta/$v"
	[ -d "$src" ] || continue
	mkdir -p "$tmp/$v"
	cp -r "$src/logs" "$src/mtimes.json" "$tmp/$v/"
	chmod -R u+w "$tmp/$v"
	python3 "$shared/corpus/realmta/set-mtimes" "$tmp/$v" >/dev/null || fail=1
	"$MAILSPILL" trace -q -o "$tmp/$v.csv" "$tmp/$v/logs" || { echo "FAIL: $v: exit $?"; fail=1; continue; }
	if python3 "$shared/tools/score" --trace "$tmp/$v.csv" "$src/truth.json" >"$tmp/$v.score"; then
		echo "ok: $v: $(tail -n 1 "$tmp/$v.score")"
	else
		echo "FAIL: $v"; cat "$tmp/$v.score"; fail=1
	fi
done
exit $fail
