#!/bin/sh
# bus-bench.sh: time the bus tools against the plain way of the original
# design (porcelain git: pull --rebase, write the file, add -A, commit,
# push), on a bare hub holding 0, 10,000 and 100,000 archived messages,
# and print medians and ratios.  Then 4 and 8 stations send at once:
# messages per second, rejected pushes per message, losses.
#
# usage: bench/bus-bench.sh [-r runs] [-s "sizes"] [-c "stations"] [-m msgs]
#                           [-t local|ssh|wan] [-d ms]
# -t: how the stations reach the hub, both ways alike (see transport in
# lib.sh): a local path (the default), ssh to an sshd of our own on
# 127.0.0.1, or wan, that ssh with -d ms (50) slept before each
# connection.  Without sshd, ssh and wan say why and print nothing.
# The tools must be on PATH (make bench does that).  Figures, never
# assertions: a shared machine is noisy, so compare ratios in one run.
set -eu
. "$(dirname "$0")/lib.sh"

runs=7
sizes="0 10000 100000"
crowds="4 8"
per=25
vias=local
bench_options "bus-bench.sh [-r runs] [-s sizes] [-c stations] [-m msgs] [-t local|ssh|wan] [-d ms]" "$@"
# one transport: its tables have no column for another
via=$vias
[ "$via" = "${via%% *}" ] || bench_usage

bench_git_home
git config --global pull.rebase true
if ! transport "$via"; then
	echo "bus-bench.sh: no $via transport: $transport_why" >&2
	exit 0
fi

# plain_recv DIR: the original design's receive.
plain_recv () {
	(cd "$1" && git pull -q --rebase && cat inbox-b/*.json >/dev/null 2>&1 || true)
}

printf '%-22s %8s %10s %10s %7s\n' operation archived 'ours(ms)' 'plain(ms)' ratio
for n in $sizes; do
	d="$tmp/n$n"
	mkdir -p "$d"
	cd "$d"
	archived_hub hub.git "$n"
	bus-init -q -a a "$(hub_url hub.git)" st-a >/dev/null
	bus-init -q -a b "$(hub_url hub.git)" st-b >/dev/null
	bus-recv -C st-a -f id >/dev/null
	git clone -q "$(hub_url hub.git)" plain-a
	git clone -q "$(hub_url hub.git)" plain-b
	rm -f ./*.ms

	i=0
	while [ $i -lt "$runs" ]; do
		time_it send.ours bus-send -C st-a b "message $i"
		time_it send.plain plain_send plain-a "plain-$n-$i"
		# one message each to ack, sent untimed
		id=$(bus-send -C st-a b "to ack $i")
		bus-recv -C st-b -f id >/dev/null
		time_it ack.ours bus-ack -C st-b "$id"
		plain_send plain-a "plainack-$n-$i"
		git -C plain-b pull -q --rebase
		time_it ack.plain plain_ack plain-b "plainack-$n-$i"
		# nothing new
		bus-recv -C st-b -f id | bus-ack -C st-b -
		time_it idle.ours bus-recv -C st-b -f id
		time_it idle.fetch git -C st-b fetch -q origin
		# ten new
		for k in 0 1 2 3 4 5 6 7 8 9; do
			echo "{\"to\":\"b\",\"body\":\"ten $k\"}"
		done | bus-send -C st-a --batch >/dev/null
		time_it ten.ours bus-recv -C st-b
		time_it ten.plain plain_recv plain-b
		bus-recv -C st-b -f id | bus-ack -C st-b -
		i=$((i + 1))
	done
	for op in send ack; do
		o=$(median $op.ours) p=$(median $op.plain)
		printf '%-22s %8d %10d %10d %7.2f\n' "$op" "$n" "$o" "$p" \
			"$(ratio "$o" "$p")"
	done
	o=$(median idle.ours) p=$(median idle.fetch)
	printf '%-22s %8d %10d %10d %7.2f\n' "recv, nothing new" "$n" "$o" "$p" \
		"$(ratio "$o" "$p")"
	o=$(median ten.ours) p=$(median ten.plain)
	printf '%-22s %8d %10d %10d %7.2f\n' "recv, 10 new" "$n" "$o" "$p" \
		"$(ratio "$o" "$p")"
	cd "$tmp"
	rm -rf "$d"
done
echo "(recv, nothing new is compared with a bare git fetch; the rest with"
echo " the plain porcelain way)"

echo
printf '%-9s %9s %10s %12s %10s %6s\n' stations messages 'time(s)' 'msgs/s' 'rejects/msg' lost
for k in $crowds; do
	d="$tmp/crowd$k"
	mkdir -p "$d"
	cd "$d"
	crowd_setup "$k"
	crowd "$k" "$per"
	ms=$crowd_ms
	lost=$(crowd_lost "$k")
	total=$((k * per))
	pushes=$(cat trace-* | grep -c ' push --porcelain ' || true)
	awk -v k="$k" -v n="$total" -v ms="$ms" -v p="$pushes" -v l="$lost" 'BEGIN {
		printf "%-9d %9d %10.2f %12.1f %10.2f %6d\n", k, n, ms / 1000, n / (ms / 1000), (p - n) / n, l }'
	cd "$tmp"
	rm -rf "$d"
done
