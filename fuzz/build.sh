#!/bin/sh
# build.sh - builds the libFuzzer targets of fuzz/ with ASan and UBSan
#
# Usage: fuzz/build.sh [BUILDDIR]   (default: ./build-fuzz)
# Configures the tree out of tree in BUILDDIR with clang, builds
# libmailspill.a instrumented for coverage (-fsanitize=fuzzer-no-link),
# then links one fuzzer per target: BUILDDIR/fuzz_lines, fuzz_input,
# fuzz_rfc5322, fuzz_rfc2047, fuzz_csv. CC overrides the compiler (a
# clang with the libFuzzer runtime: Debian's libclang-rt-NN-dev); SAN
# overrides the sanitizer flags (e.g. with -fsanitize-recover=undefined
# and UBSAN_OPTIONS=halt_on_error=1:suppressions=FILE to get past a
# known report). See fuzz/README.md for running them.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$PWD/build-fuzz}
CC=${CC:-clang}
strict="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
SAN=${SAN:-"$strict -fno-omit-frame-pointer"}
TARGETS="lines input rfc5322 rfc2047 csv"

mkdir -p "$out"
cd "$out"
if [ ! -f Makefile ]; then
	"$srcdir/configure" CC="$CC" \
	    CFLAGS="-g -O1 $SAN -fsanitize=fuzzer-no-link" \
	    LDFLAGS="$SAN" >configure.log ||
	    { echo "build.sh: configure failed, see $out/configure.log" >&2;
	    exit 1; }
fi
make libmailspill.a >make.log 2>&1 ||
    { echo "build.sh: make failed, see $out/make.log" >&2; exit 1; }
libs=$(sed -n 's/^\(LIBARCHIVE_LIBS\|PCRE2_LIBS\|ZLIB_LIBS\) = //p' \
    Makefile | tr '\n' ' ')
for t in $TARGETS; do
	extra=
	[ "$t" = lines ] && extra="$srcdir/fuzz/fuzz_split.c"
	# shellcheck disable=SC2086
	$CC -std=c11 -g -O1 $SAN -fsanitize=fuzzer -pthread \
	    -include config.h -I. \
	    "$srcdir/fuzz/fuzz_$t.c" "$srcdir/fuzz/fuzz_util.c" $extra \
	    libmailspill.a $libs -o "fuzz_$t"
	echo "built $out/fuzz_$t"
done
