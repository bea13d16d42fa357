# bench/lib.sh - timing, caching and reporting for bench/run (sourced)
#
# bench_log FORMAT SIZE: path of a cached gen-biglog log (made once in
# $dir with seed 1, its .gz and --truth file beside it); bench_domino_log
# the same for bench/gen-domino. bench_add queues a
# command; bench_go runs every queued command $runs times, round by round
# (one run of each, then the next round, so a load that comes and goes
# hits all of them alike), and keeps per tool the median wall time, the
# fastest and slowest run and the highest peak RSS. bench_report prints
# the table and checks figures against targets. Wall seconds come from
# bash's EPOCHREALTIME (time's %e has only centiseconds: too coarse for
# wc -l), peak RSS from /usr/bin/time %M (GNU time). Expects from the
# caller: dir, gen, here (bench/), timer, runs, tmp (a private scratch
# directory).
# shellcheck shell=bash disable=SC2154

# bench_log FORMAT SIZE [nogz]: prints the path of the plain log; makes
# the log, LOG.truth.json and (unless nogz) LOG.gz when missing. The cache
# key is the generator's arguments (same arguments, same bytes); a .part
# file never counts.
bench_log() {
	local format=$1 size=$2 nogz=${3:-} log
	log=$dir/$format-$size-seed1.log
	if [ ! -s "$log" ]; then
		echo "bench/run: generating $log" >&2
		python3 "$gen" --format "$format" --size "$size" --seed 1 --quiet \
		    --truth "$log.truth.json.part" -o "$log.part"
		mv "$log.truth.json.part" "$log.truth.json"
		mv "$log.part" "$log"
	fi
	if [ ! -s "$log.truth.json" ]; then
		# A log cached before the truth was kept: the generator is
		# deterministic, so a second run writes the same truth.
		echo "bench/run: generating $log.truth.json" >&2
		python3 "$gen" --format "$format" --size "$size" --seed 1 --quiet \
		    --truth "$log.truth.json.part" -o /dev/null
		mv "$log.truth.json.part" "$log.truth.json"
	fi
	if [ -z "$nogz" ] && [ ! -s "$log.gz" ]; then
		echo "bench/run: generating $log.gz" >&2
		python3 "$gen" --format "$format" --size "$size" --seed 1 --gzip \
		    --quiet -o "$log.gz.part"
		mv "$log.gz.part" "$log.gz"
	fi
	printf '%s\n' "$log"
}

# bench_domino_log SIZE: prints the path of a cached bench/gen-domino
# console log of SIZE bytes (seed 1), making it when missing.
bench_domino_log() {
	local log=$dir/domino-$1-seed1.log
	if [ ! -s "$log" ]; then
		echo "bench/run: generating $log" >&2
		python3 "$here/gen-domino" --size "$1" --seed 1 -o "$log.part"
		mv "$log.part" "$log"
	fi
	printf '%s\n' "$log"
}

# The queue: parallel arrays indexed by command number.
q_name=() q_input=() q_cmd=() q_feed=() q_ok=() q_fresh=()

# bench_add [--feed CMD] [--ok STATUSES] [--fresh DIR] NAME INPUT CMD...
# Queues CMD (stdout to /dev/null). --feed: a shell command (already
# quoted, e.g. with printf %q) piped into CMD's stdin and timed with it;
# --ok: exit statuses that count as success (default "0"); --fresh: a
# directory removed before each run (report folders).
bench_add() {
	local feed='' ok=0 fresh=''
	while :; do
		case $1 in
		--feed) feed=$2; shift 2 ;;
		--ok) ok=$2; shift 2 ;;
		--fresh) fresh=$2; shift 2 ;;
		*) break ;;
		esac
	done
	q_name+=("$1")
	q_input+=("$2")
	shift 2
	q_cmd+=("$(printf '%q ' "$@")")
	q_feed+=("$feed")
	q_ok+=("$ok")
	q_fresh+=("$fresh")
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "bench/run: ${q_name[-1]}: $1 not found, skipped" >&2
		q_cmd[-1]=
	fi
}

# bench_once I ROUND: one run of command I; appends "i round seconds
# rss_kb" to $tmp/runs, or clears the command when it fails.
bench_once() {
	local i=$1 round=$2 t0 t1 st
	[ -z "${q_fresh[i]}" ] || rm -rf -- "${q_fresh[i]}"
	set +e
	t0=$EPOCHREALTIME
	if [ -n "${q_feed[i]}" ]; then
		eval "${q_feed[i]}" 2>"$tmp/feederr" |
		    eval "\"\$timer\" -f %M -o \"\$tmp/t\" ${q_cmd[i]}" \
		    >/dev/null 2>"$tmp/err"
		st=("${PIPESTATUS[@]}")
	else
		eval "\"\$timer\" -f %M -o \"\$tmp/t\" ${q_cmd[i]}" \
		    >/dev/null 2>"$tmp/err"
		st=(0 $?)
	fi
	t1=$EPOCHREALTIME
	set -e
	if [ "${st[0]}" -ne 0 ] || [[ " ${q_ok[i]} " != *" ${st[1]} "* ]]; then
		echo "bench/run: ${q_name[i]} (${q_input[i]}) failed, exit ${st[*]}:" >&2
		tail -n 5 "$tmp/err" >&2
		[ -z "${q_feed[i]}" ] || tail -n 5 "$tmp/feederr" >&2
		q_cmd[i]=
		return
	fi
	printf '%s %s %s %s\n' "$i" "$round" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
	    "$(tail -n 1 "$tmp/t")" >>"$tmp/runs"
}

# bench_go: runs the queue $runs times round by round, then writes one
# line per command to $tmp/rows: "name input median min max rss_kb n"
# (n/a for a skipped or failed tool). Empties the queue.
bench_go() {
	local round i
	: >"$tmp/runs"
	for ((round = 1; round <= runs; round++)); do
		for i in "${!q_name[@]}"; do
			[ -z "${q_cmd[i]}" ] || bench_once "$i" "$round"
		done
	done
	for i in "${!q_name[@]}"; do
		if [ -z "${q_cmd[i]}" ]; then
			echo "${q_name[i]} ${q_input[i]} n/a n/a n/a n/a 0"
			continue
		fi
		awk -v i="$i" -v name="${q_name[i]}" -v input="${q_input[i]}" '
		$1 == i { t[n++] = $3; if ($4 > rss) rss = $4 }
		END {
			# Few values: an insertion sort is plenty.
			for (a = 1; a < n; a++)
				for (b = a; b > 0 && t[b - 1] > t[b]; b--) {
					x = t[b]; t[b] = t[b - 1]; t[b - 1] = x
				}
			med = n % 2 ? t[int(n / 2)] : (t[n / 2 - 1] + t[n / 2]) / 2
			printf "%s %s %.3f %.3f %.3f %d %d\n", name, input, med,
			    t[0], t[n - 1], rss, n
		}' "$tmp/runs"
	done >"$tmp/rows"
	q_name=() q_input=() q_cmd=() q_feed=() q_ok=() q_fresh=()
}

# bench_load: the load line printed before and after each mode, since
# other work on the machine shifts every figure.
bench_load() {
	printf 'load %s: %s\n' "$1" "$(uptime | sed 's/^ *//')"
}

# bench_report BYTES [CHECK...]: prints the table of $tmp/rows (MB/s from
# BYTES of uncompressed text; 0 leaves that column out; "INPUT=N,..."
# gives each input column its own byte count), then one line per check,
# each a tab-separated spec:
#   ratio  LABEL A B OP TARGET    time(A) / time(B), as "12.3x"
#   quot   LABEL A B OP TARGET    time(A) / time(B), as "1.23"
#   share  LABEL A B OP TARGET    100 * time(A) / time(B), as a percentage
#   over   LABEL A B OP TARGET    100 * (time(A) - time(B)) / time(B), %
#   rss    LABEL A,B.. OP TARGET  highest peak RSS of those rows, MB
#   secs   LABEL A OP TARGET      time(A) in seconds
#   value  LABEL N OP TARGET      a number the caller measured
# A and B are "name/input" keys of the table; OP is >=, <= or <, or "-"
# (with TARGET "-") for a figure shown without a target.
bench_report() {
	local bytes=$1
	shift
	printf '%s\n' "$@" >"$tmp/checks"
	awk -v bytes="$bytes" -v runs="$runs" '
	FILENAME == ARGV[1] { if ($0 != "") checks[nc++] = $0; next }
	{
		key = $1 "/" $2
		b = $2 in inbytes ? inbytes[$2] : bytes
		if ($3 == "n/a") {
			printf "%-18s %-7s %9s  %-17s %8s %13s\n", $1, $2, "n/a",
			    "", b ? "n/a" : "", "n/a"
			next
		}
		t[key] = $3; rss[key] = $6 / 1024
		mbs = b == 0 ? "" : $3 > 0 ? \
		    sprintf("%.0f", b / 1e6 / $3) : "inf"
		printf "%-18s %-7s %9.3f  %-17s %8s %13.1f\n", $1, $2, $3,
		    sprintf("%.3f-%.3f", $4, $5), mbs, rss[key]
		if ($7 < runs)
			printf "  (%s: %d of %d runs)\n", key, $7, runs
	}
	function verdict(v, op, target) {
		if (op == "-") return "figure only, no target"
		if (op == ">=") return v >= target ? "met" : "NOT MET"
		if (op == "<=") return v <= target ? "met" : "NOT MET"
		return v < target ? "met" : "NOT MET"
	}
	function line(label, shown, op, target, unit, v) {
		if (op == "-") {
			printf "%-46s %9s   (%s)\n", label, shown, verdict(v, op)
			return
		}
		printf "%-46s %9s   target %s %s%s: %s\n", label, shown, op,
		    target, unit, shown == "n/a" ? "n/a" : verdict(v, op, target)
	}
	BEGIN {
		# "plain=N,gz=M": bytes per input column; a number: for all.
		nin = 0
		if (bytes ~ /=/) {
			nin = n = split(bytes, kv, ",")
			for (k = 1; k <= n; k++) {
				split(kv[k], p, "=")
				inbytes[p[1]] = p[2]
			}
			bytes = 0
		}
		showmb = bytes != 0 || nin > 0
		printf "%-18s %-7s %9s  %-17s %8s %13s\n", "tool", "input",
		    "seconds", "(min-max)", showmb ? "MB/s" : "", "peak RSS MB"
	}
	END {
		printf "(seconds: median of %d runs, min-max beside it; peak RSS:" \
		    " the highest of the runs", runs
		if (showmb)
			printf ";\n MB/s: megabytes of uncompressed text a second," \
			    " for .gz too"
		print ")"
		print ""
		for (c = 0; c < nc; c++) {
			split(checks[c], f, "\t")
			kind = f[1]; label = f[2]
			if (kind == "value") {
				# "?": the caller could not measure it.
				line(label, f[3] ~ /^-?[0-9.]+$/ ? f[3] : "n/a", f[4],
				    f[5], "", f[3] + 0)
				continue
			}
			if (kind == "secs") {
				ok = f[3] in t
				v = t[f[3]]
				line(label, ok ? sprintf("%.1f s", v) : "n/a", f[4],
				    f[5], " s", v)
				continue
			}
			if (kind == "rss") {
				n = split(f[3], keys, ",")
				v = 0; ok = 1
				for (k = 1; k <= n; k++) {
					if (!(keys[k] in t)) ok = 0
					else if (rss[keys[k]] > v) v = rss[keys[k]]
				}
				line(label, ok ? sprintf("%.1f MB", v) : "n/a", f[4],
				    f[5], " MB", v)
				continue
			}
			a = f[3]; b = f[4]; op = f[5]; target = f[6]
			ok = (a in t) && (b in t) && t[b] > 0
			if (kind == "ratio") {
				v = ok ? t[a] / t[b] : 0
				line(label, ok ? sprintf("%.1fx", v) : "n/a", op,
				    target, "x", v)
			} else if (kind == "quot") {
				v = ok ? t[a] / t[b] : 0
				line(label, ok ? sprintf("%.2f", v) : "n/a", op,
				    target, "", v)
			} else if (kind == "share") {
				v = ok ? 100 * t[a] / t[b] : 0
				line(label, ok ? sprintf("%.1f%%", v) : "n/a", op,
				    target, "%", v)
			} else if (kind == "over") {
				v = ok ? 100 * (t[a] - t[b]) / t[b] : 0
				line(label, ok ? sprintf("%+.1f%%", v) : "n/a", op,
				    target, "%", v)
			}
		}
	}' "$tmp/checks" "$tmp/rows"
}
