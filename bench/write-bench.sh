#!/bin/sh
# write-bench.sh: issue 17's write path, queue mode against direct mode,
# side by side in one run.  A queue hub is bus-init --hub's own: the
# stations push to the branch and to refs/bus/queue/<agent> at once,
# and the hub's post-receive (the sequencer) folds into the branch the
# queues that the branch did not take.  A direct hub is the same
# without post-receive and refs/bus/mode/queue (bus-init --hub
# --direct, lib.sh's hub_direct): the stations push the branch and
# retry the races they lose, as before issue 17 and as on a git host.
#
# usage: bench/write-bench.sh [-r runs] [-s "sizes"] [-c "writers"]
#                             [-m msgs] [-t "transports"] [-d ms]
#	-r	timed runs of a single send, the median kept (7)
#	-s	archived messages in the hubs of the single send ("0 10000")
#	-c	writers at once, each count a crowd ("8 16 64"); the first
#		count times -m is the number of sends made in series
#	-m	sends per writer (10)
#	-t	transports, any of local, ssh and wan ("local")
#	-d	the delay of wan, in ms per connection (50)
# The same options as goals-bench.sh, so that make bench's BENCH_FLAGS
# serve both.  The tools must be on PATH (make bench does that).
# Figures, never assertions: the goal column is the issue's, to read
# the figures against, and nothing fails when one is missed.
set -eu
. "$(dirname "$0")/lib.sh"

runs=7
sizes="0 10000"
crowds="8 16 64"
per=10
vias=local
bench_options "write-bench.sh [-r runs] [-s sizes] [-c writers] [-m msgs] [-t transports] [-d ms]" "$@"

bench_git_home
modes="queue direct"
mkdir "$tmp/res"
: >"$tmp/notes"

# put KEY VALUE: a figure of the current transport and $mode.
put () {
	echo "$2" >"$tmp/res/$transport_kind.$mode.$1"
}

progress () {
	echo "write-bench: $transport_kind: $*" >&2
}

# rate N MS: N messages in MS ms, a second; one decimal.
rate () {
	printf '%.1f' "$(echo "$1 $2" | awk '{ print $1 * 1000 / ($2 ? $2 : 1) }')"
}

# figures KEY K N MS: what the K stations of a crowd or a series left
# in the current directory for their N sends, and its wall time MS.
figures () {
	put "ms.$1" "$4"
	put "rate.$1" "$(rate "$3" "$4")"
	put "conn.$1" "$(printf '%.2f' "$(ratio "$(traced_connections)" "$3")")"
	_races=$(crowd_gave_up)
	put "races.$1" "$_races/$3"
	put "other.$1" "$(($(crowd_failed) - _races))/$3"
	put "lost.$1" "$(crowd_lost "$2")"
	# what the tools said besides the git commands of -v: their
	# errors and the hub's ("remote: ..."), for the notes
	cat trace-* | grep -v -e '^+ ' -e '^# ' | sed 's/[0-9a-f]\{40\}/<oid>/g' |
	    sort | uniq -c | sort -rn | head -n 5 |
	    sed "s|^|$transport_kind $mode $1: |" >>"$tmp/notes" || true
}

# series N: station 1 makes N sends one at a time: one station in
# series, the issue's baseline of throughput.
series () {
	_t0=$(now_ms)
	_j=0
	while [ $_j -lt "$1" ]; do
		crowd_send 1 $_j
		_j=$((_j + 1))
	done
	series_ms=$(($(now_ms) - _t0))
}

# crowds: for each count K of -c, K writers on an empty hub of each
# mode send PER messages each to one sink, all at once; then, on a
# fresh hub of each mode, one station makes the first count's sends
# in series.
crowds () {
	for k in $crowds; do
		for mode in $modes; do
			progress "$k writers x $per sends, $mode mode"
			d="$tmp/$transport_kind-$mode-$k"
			mkdir "$d"
			cd "$d"
			crowd_setup "$k" $mode
			crowd "$k" "$per"
			figures "$k" "$k" $((k * per)) "$crowd_ms"
			cd "$tmp"
			rm -rf "$d"
		done
	done
	[ -n "$crowds" ] || return 0
	n=$((${crowds%% *} * per))
	for mode in $modes; do
		progress "1 station x $n sends in series, $mode mode"
		d="$tmp/$transport_kind-$mode-series"
		mkdir "$d"
		cd "$d"
		crowd_setup 1 $mode
		series "$n"
		figures series 1 "$n" "$series_ms"
		cd "$tmp"
		rm -rf "$d"
	done
}

# single N: a single station's send (from a current station, as in
# goals-bench.sh) into a queue hub and a direct hub of N archived
# messages, one after the other in each run, so that the load of a
# shared machine falls on both alike.
single () {
	progress "a single send at $1 archived"
	d="$tmp/$transport_kind-single-$1"
	mkdir "$d"
	cd "$d"
	for mode in $modes; do
		archived_hub $mode.git "$1"
		[ $mode = queue ] || hub_direct $mode.git
		bus-init -q -a a "$(hub_url $mode.git)" a-$mode >/dev/null
		bus-init -q -a b "$(hub_url $mode.git)" b-$mode >/dev/null
	done
	i=0
	while [ $i -lt "$runs" ]; do
		for mode in $modes; do
			bus-recv -q -C a-$mode -f id >/dev/null
			time_it send.$mode bus-send -C a-$mode b "message $i"
		done
		i=$((i + 1))
	done
	for mode in $modes; do
		put "send.$1" "$(median send.$mode)"
	done
	cd "$tmp"
	rm -rf "$d"
}

done_vias=
for via in $vias; do
	if ! transport "$via"; then
		echo "write-bench: no $via rows: $transport_why" >&2
		echo "$transport_why" >"$tmp/res/$via.skipped"
		continue
	fi
	crowds
	for n in $sizes; do
		single "$n"
	done
	done_vias="$done_vias $via"
done

# The tables.  get KEY: the figure of transport $via and $mode, "-" if
# none.
get () {
	if [ -f "$tmp/res/$via.$mode.$1" ]; then
		cat "$tmp/res/$via.$mode.$1"
	else
		echo -
	fi
}

# row LABEL GOAL EXPR: a line, EXPR evaluated for each transport and
# mode (with get) to make its cell.
row () {
	printf '%-36s' "$1"
	for via in $done_vias; do
		for mode in $modes; do
			printf ' %13s' "$(eval "$3")"
		done
	done
	if [ -n "$2" ]; then printf '  %s\n' "$2"; else echo; fi
}

# r2 A B: the ratio of two figures, two decimals, or "-".
r2 () {
	if [ "$1" = - ] || [ "$2" = - ]; then
		echo -
	else
		printf '%.2f' "$(ratio "$1" "$2")"
	fi
}

# direct KEY: the figure of direct mode on the same transport.
direct () {
	(mode=direct && get "$1")
}

echo "Issue 17's write path: queue mode (stations push their queues, the"
echo "hub's sequencer folds them) and direct mode (stations push the branch"
echo "and retry lost races), side by side; N writers x $per sends each to one"
echo "sink, all at once, on an empty hub.  Single sends: medians of $runs."
echo "The goals are the issue's (figures, never assertions)."
for via in $vias; do
	[ ! -f "$tmp/res/$via.skipped" ] ||
		echo "$via: skipped: $(cat "$tmp/res/$via.skipped")"
done
echo
printf '%-36s' ""
for via in $done_vias; do
	for mode in $modes; do
		printf ' %13s' "$via $mode"
	done
done
echo "  goal"
n1=
[ -z "$crowds" ] || n1=$((${crowds%% *} * per))
for k in $crowds; do
	# the issue's goals: 8 and 16 writers all of them, 64 the first
	# and the last
	case $k in
	8|16) gt=">= 1 (8, 16)" gc="<= 1.2 (8, 16)" g0="0 (8, 16, 64)" ;;
	64) gt= gc= g0="0 (8, 16, 64)" ;;
	*) gt= gc= g0= ;;
	esac
	row "$k x $per at once, wall (ms)" "" 'get ms.$k'
	row "$k x $per at once, messages/s" "" 'get rate.$k'
	row "$k x $per, / series of its mode" "$gt" \
	    'r2 "$(get rate.$k)" "$(get rate.series)"'
	row "$k x $per, / series in direct mode" "" \
	    'r2 "$(get rate.$k)" "$(direct rate.series)"'
	row "$k x $per, connections a message" "$gc" 'get conn.$k'
	row "$k x $per, gave up (75)" "$g0" 'get races.$k'
	row "$k x $per, failed otherwise" "" 'get other.$k'
	row "$k x $per, messages lost" "$g0" 'get lost.$k'
done
if [ -n "$n1" ]; then
	row "1 x $n1 in series, wall (ms)" "" 'get ms.series'
	row "1 x $n1 in series, messages/s" "" 'get rate.series'
	row "1 x $n1 in series, connections a msg" "" 'get conn.series'
	row "1 x $n1 in series, gave up (75)" "" 'get races.series'
	row "1 x $n1 in series, failed otherwise" "" 'get other.series'
	row "1 x $n1 in series, messages lost" "" 'get lost.series'
fi
for n in $sizes; do
	row "a single send at $n archived (ms)" "" 'get send.$n'
	row "  the same, / direct mode" "<= 1" \
	    'r2 "$(get send.$n)" "$(direct send.$n)"'
done
if [ -s "$tmp/notes" ]; then
	echo
	echo "What the tools said besides -v's git commands (count, transport,"
	echo "mode, writers; at most 5 distinct lines each):"
	sed 's/^/    /' "$tmp/notes"
fi
