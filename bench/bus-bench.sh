#!/bin/sh
# bus-bench.sh: time the bus tools against the plain way of the original
# design (porcelain git: pull --rebase, write the file, add -A, commit,
# push), on a local bare hub holding 0, 10,000 and 100,000 archived
# messages, and print medians and ratios.  Then 4 and 8 stations send
# at once: messages per second, rejected pushes per message, losses.
#
# usage: bench/bus-bench.sh [-r runs] [-s "sizes"] [-c "stations"] [-m msgs]
# The tools must be on PATH (make bench does that).  Figures, never
# assertions: a shared machine is noisy, so compare ratios in one run.
set -eu

runs=7
sizes="0 10000 100000"
crowds="4 8"
per=25
while getopts c:m:r:s: opt; do
	case $opt in
	c) crowds=$OPTARG ;;
	m) per=$OPTARG ;;
	r) runs=$OPTARG ;;
	s) sizes=$OPTARG ;;
	*) echo "usage: bus-bench.sh [-r runs] [-s sizes] [-c stations] [-m msgs]" >&2
	   exit 64 ;;
	esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main
git config --global pull.rebase true

now_ms () {
	date +%s%3N
}

# median FILE: the median of the numbers in FILE, one a line.
median () {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# time_it FILE CMD...: run CMD, append its wall time in ms to FILE.
time_it () {
	_out=$1
	shift
	_t0=$(now_ms)
	"$@" >/dev/null
	_t1=$(now_ms)
	echo $((_t1 - _t0)) >>"$_out"
}

# archive N: a fast-import stream adding N archived messages for b,
# about 274 a day, so that 100,000 span a year.
archive () {
	awk -v n="$1" 'BEGIN {
		print "commit refs/heads/main"
		print "committer bench <bench@example.com> 1700000000 +0000"
		print "data 12"
		print "the archive"
		print "from refs/heads/main^0"
		for (i = 0; i < n; i++) {
			d = int(i / 274); m = 1 + int(d / 28) % 12; dd = 1 + d % 28
			day = sprintf("2025-%02d-%02d", m, dd)
			id = sprintf("%04d%02d%02dT120000Z-a-%012x", 2025, m, dd, i)
			msg = sprintf("{\"id\":\"%s\",\"ts\":\"%sT12:00:00Z\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"archived message %d\"}\n", id, day, i)
			printf "M 100644 inline archive-b/%s/%s.json\n", day, id
			printf "data %d\n%s\n", length(msg), msg
		}
	}'
}

# plain_send DIR ID: the original design's send, with porcelain git.
plain_send () {
	(cd "$1" && git pull -q --rebase &&
	 printf '{"id":"%s","ts":"2026-11-28T10:00:00Z","from":"a","to":"b","type":"note","body":"x"}\n' "$2" >"inbox-b/$2.json" &&
	 git add -A && git commit -q -m send && git push -q)
}

# plain_ack DIR ID: the original design's ack.
plain_ack () {
	(cd "$1" && git pull -q --rebase && mkdir -p archive-b/2026-11-28 &&
	 git mv "inbox-b/$2.json" archive-b/2026-11-28/ &&
	 git commit -q -m ack && git push -q)
}

# plain_recv DIR: the original design's receive.
plain_recv () {
	(cd "$1" && git pull -q --rebase && cat inbox-b/*.json >/dev/null 2>&1 || true)
}

printf '%-22s %8s %10s %10s %7s\n' operation archived 'ours(ms)' 'plain(ms)' ratio
for n in $sizes; do
	d="$tmp/n$n"
	mkdir -p "$d"
	cd "$d"
	bus-init -q --hub hub.git
	archive "$n" | git -C hub.git fast-import --quiet
	git -C hub.git gc -q
	bus-init -q -a a hub.git st-a >/dev/null
	bus-init -q -a b hub.git st-b >/dev/null
	bus-recv -C st-a -f id >/dev/null
	git clone -q hub.git plain-a
	git clone -q hub.git plain-b
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
			"$(echo "$o $p" | awk '{ print $1 / ($2 ? $2 : 1) }')"
	done
	o=$(median idle.ours) p=$(median idle.fetch)
	printf '%-22s %8d %10d %10d %7.2f\n' "recv, nothing new" "$n" "$o" "$p" \
		"$(echo "$o $p" | awk '{ print $1 / ($2 ? $2 : 1) }')"
	o=$(median ten.ours) p=$(median ten.plain)
	printf '%-22s %8d %10d %10d %7.2f\n' "recv, 10 new" "$n" "$o" "$p" \
		"$(echo "$o $p" | awk '{ print $1 / ($2 ? $2 : 1) }')"
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
	bus-init -q --hub hub.git
	bus-init -q -a sink hub.git st-sink >/dev/null
	s=1
	while [ $s -le "$k" ]; do
		bus-init -q -a "s$s" hub.git "st-$s" >/dev/null
		s=$((s + 1))
	done
	t0=$(now_ms)
	s=1
	while [ $s -le "$k" ]; do
		(j=0; while [ $j -lt "$per" ]; do
			bus-send -v -C "st-$s" sink "from $s number $j" \
				2>>"trace-$s" >>"sent-$s" || true
			j=$((j + 1))
		done) &
		s=$((s + 1))
	done
	wait
	t1=$(now_ms)
	# a send that gave up (75) left its commit queued: the next sync
	# delivers it, so only ids missing after that are lost
	s=1
	while [ $s -le "$k" ]; do
		bus-recv -C "st-$s" -f id >/dev/null 2>&1 || true
		s=$((s + 1))
	done
	total=$((k * per))
	pushes=$(cat trace-* | grep -c ' push ' || true)
	git -C hub.git ls-tree --name-only main -- inbox-sink/ |
		sed -n 's|^inbox-sink/\(.*\)\.json$|\1|p' | sort >landed
	cat sent-* | sort >sent
	lost=$(comm -23 sent landed | wc -l)
	awk -v k="$k" -v n="$total" -v ms=$((t1 - t0)) -v p="$pushes" -v l="$lost" 'BEGIN {
		printf "%-9d %9d %10.2f %12.1f %10.2f %6d\n", k, n, ms / 1000, n / (ms / 1000), (p - n) / n, l }'
	cd "$tmp"
	rm -rf "$d"
done
