#!/bin/sh
# End-to-end on the realmta corpus: `mailspill scan` of every variant
# (logs, and the mail archives once they are read) must pass
# ../shared/tools/score --scan: every planted blast, storm and misroute
# found with the exact notify sets, no high-severity false positive.
# Also checks the report's files are mode 0600 and a rerun into the
# same folder is accepted while a foreign folder is refused.
# Skips (77) when ../shared is not beside the project.
set -u
: "${MAILSPILL:=./mailspill}" "${SRCDIR:=.}"
shared="$SRCDIR/../shared"
[ -d "$shared/corpus/realmta" ] || { echo "no ../shared: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for v in postfix-postlogd postfix-rsyslog postfix-headerlog exim; do
	src="$shared/corpus/realmta/$v"
	[ -d "$src" ] || continue
	mkdir -p "$tmp/$v"
	cp -r "$src/logs" "$src/mail" "$src/mtimes.json" "$tmp/$v/"
	chmod -R u+w "$tmp/$v"
	python3 "$shared/corpus/realmta/set-mtimes" "$tmp/$v" >/dev/null || fail=1
	"$MAILSPILL" scan -q -o "$tmp/$v.report" "$tmp/$v/logs" "$tmp/$v/mail" >"$tmp/$v.summary"
	status=$?
	if [ "$status" -ne 1 ]; then
		echo "FAIL: $v: scan exit $status, want 1"; cat "$tmp/$v.summary"; fail=1; continue
	fi
	if python3 "$shared/tools/score" --strict --scan "$tmp/$v.report" "$src/truth.json" >"$tmp/$v.score"; then
		echo "ok: $v: $(tail -n 1 "$tmp/$v.score")"
	else
		echo "FAIL: $v"; cat "$tmp/$v.score"; fail=1
	fi
	bad=$(find "$tmp/$v.report" -type f ! -perm 600 | head -n 3)
	[ -z "$bad" ] || { echo "FAIL: $v: not mode 0600: $bad"; fail=1; }
done
# A second run may overwrite a previous report; a foreign folder is refused.
v=postfix-headerlog
if [ -d "$tmp/$v.report" ]; then
	"$MAILSPILL" scan -q -o "$tmp/$v.report" "$tmp/$v/logs" >/dev/null
	[ $? -eq 1 ] || { echo "FAIL: rerun into a previous report refused"; fail=1; }
	mkdir -p "$tmp/foreign" && echo keep >"$tmp/foreign/notes.txt"
	"$MAILSPILL" scan -q -o "$tmp/foreign" "$tmp/$v/logs" >/dev/null 2>&1
	[ $? -eq 2 ] || { echo "FAIL: a foreign folder was not refused"; fail=1; }
	[ "$(cat "$tmp/foreign/notes.txt")" = keep ] || fail=1
fi
exit $fail
