#!/bin/sh
# Inputs at the edges: a mail with a uuencoded attachment is read as
# mail (never uudecoded), an empty file is nothing to read (a warning,
# exit status 0), a mail with bare CR line ends (old Mac) is split at
# its CRs, an empty directory (beside the others) holds nothing to read.
set -u
: "${MAILSPILL:=./mailspill}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir "$tmp/in" || exit 1

cat >"$tmp/in/uu.eml" <<'MAIL'
From: Ann <a@x.example>
To: Bob <b@y.example>, c@z.example
Subject: pictures
Message-ID: <uu1@x.example>
Date: Thu, 18 May 2000 03:44:12 +0000

begin 644 ball.png
M4$Y'#0H:"@````U)2$12```````
`
end
MAIL
printf 'From: d@x.example\rTo: e@y.example\rCc: f@z.example\rSubject: mac\rMessage-ID: <cr1@x.example>\rDate: Thu, 18 May 2000 03:44:12 +0000\r\rbody\r' >"$tmp/in/mac.eml"
: >"$tmp/in/empty.log"
mkdir "$tmp/in/nothing" || exit 1

"$MAILSPILL" trace --tz UTC -o "$tmp/out.csv" "$tmp/in" 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ] || { echo "FAIL: exit status $st"; cat "$tmp/err"; fail=1; }
grep -q 'empty.log: empty file' "$tmp/err" ||
	{ echo "FAIL: no warning for the empty file"; fail=1; }
got=$(cut -d, -f2,4,7 "$tmp/out.csv" | sed 1d | LC_ALL=C sort | tr '\n' ' ')
want='<cr1@x.example>,e@y.example,to <cr1@x.example>,f@z.example,cc <uu1@x.example>,b@y.example,to <uu1@x.example>,c@z.example,to '
if [ "$got" = "$want" ]; then
	echo "ok: uuencoded and bare-CR mails read, empty file skipped"
else
	echo "FAIL: rows '$got', want '$want'"
	fail=1
fi
# A directory with nothing in it, given alone: a header and no rows.
"$MAILSPILL" trace -q -o "$tmp/none.csv" "$tmp/in/nothing"
st=$?
rows=$(sed 1d "$tmp/none.csv" | wc -l)
if [ "$st" -eq 0 ] && [ "$rows" -eq 0 ] &&
    head -n 1 "$tmp/none.csv" | grep -q '^time,message_id,'; then
	echo "ok: an empty directory gives a header and no rows"
else
	echo "FAIL: empty directory: exit $st, $rows rows"
	fail=1
fi
exit $fail
