#!/bin/sh
# conn-bench.sh: hub connections per operation in the request/reply
# pattern of the original design, two agents taking turns: a sends a
# request, b reads it, replies and acks it, a reads the reply and acks
# it.  Every tool runs with -v, and each fetch or push it runs is one
# connection to the hub (a local hub here; the same over ssh).  Prints
# connections per operation and how many pushes the hub refused.
#
# usage: bench/conn-bench.sh [-n rounds]
# The tools must be on PATH (make bench does that).
set -eu
. "$(dirname "$0")/lib.sh"
rounds=50
while getopts n: opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	*) echo "usage: conn-bench.sh [-n rounds]" >&2; exit 64 ;;
	esac
done
bench_git_home
cd "$tmp"
bus-init --hub hub.git
bus-init -q -a a hub.git st-a >/dev/null
bus-init -q -a b hub.git st-b >/dev/null
bus-recv -q -C st-a >/dev/null
bus-recv -q -C st-b >/dev/null

# op NAME CMD...: run CMD with -v, its trace appended to NAME.trace.
op () {
	_name=$1
	shift
	"$@" 2>>"$_name.trace"
}
i=0
while [ $i -lt "$rounds" ]; do
	req=$(op send bus-send -v -C st-a b "request $i")
	op recv bus-recv -v -C st-b -f id >/dev/null
	op send bus-send -v -C st-b -r "$req" a "reply $i" >/dev/null
	op ack bus-ack -v -C st-b "$req"
	rep=$(op recv bus-recv -v -C st-a -f id)
	op ack bus-ack -v -C st-a $rep
	i=$((i + 1))
done
printf '%-6s %6s %9s %9s %12s\n' op count fetches pushes refused
for o in send recv ack; do
	n=$((rounds * 2))
	f=$(grep -c " fetch --no-tags " $o.trace || true)
	p=$(grep -c " push --porcelain " $o.trace || true)
	# a push refused as stale is followed by a fetch in the same
	# command; count the pushes beyond one per writing command
	r=0
	[ $o = recv ] || r=$((p - n))
	awk -v o=$o -v n=$n -v f=$f -v p=$p -v r=$r 'BEGIN {
		printf "%-6s %6d %9.2f %9.2f %12d\n", o, n, f / n, p / n, r }' 
done
