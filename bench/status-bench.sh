#!/bin/sh
# status-bench.sh: bus-status on a hub holding 0, 10,000 and 100,000
# archived messages (half to each agent, about 274 a day for a year,
# in commits of 1,000), with the sender's record of sends as long as
# the archive.  A status must cost about the same at every size.
#
# usage: bench/status-bench.sh [-r runs] [-s "sizes"]
# The tools must be on PATH (make bench does that).  Figures, never
# assertions: compare the ratios within one run.
set -eu
. "$(dirname "$0")/lib.sh"

runs=7
sizes="0 10000 100000"
while getopts r:s: opt; do
	case $opt in
	r) runs=$OPTARG ;;
	s) sizes=$OPTARG ;;
	*) echo "usage: status-bench.sh [-r runs] [-s sizes]" >&2
	   exit 64 ;;
	esac
done

bench_git_home

# archive_both N: fast-import commits of 1,000 archived messages, a to b
# and b to a (acks) in turn, dated through 2025 (lib.sh's archive is one
# commit, all to b).
archive_both () {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i % 1000 == 0) {
				print "commit refs/heads/main"
				printf "committer bench <bench@example.com> %d +0000\n", 1735689600 + i * 315
				print "data 12"
				print "the archive"
				if (i == 0)
					print "from refs/heads/main^0"
			}
			d = int(i / 274); m = 1 + int(d / 28) % 12; dd = 1 + d % 28
			day = sprintf("2025-%02d-%02d", m, dd)
			from = i % 2 ? "b" : "a"; to = i % 2 ? "a" : "b"
			id = sprintf("2025%02d%02dT120000Z-%s-%012x", m, dd, from, i)
			msg = sprintf("{\"id\":\"%s\",\"ts\":\"%sT12:00:00Z\",\"from\":\"%s\",\"to\":\"%s\",\"type\":\"%s\",\"body\":\"archived %d\"}\n", id, day, from, to, i % 2 ? "ack" : "note", i)
			printf "M 100644 inline archive-%s/%s/%s.json\n", to, day, id
			printf "data %d\n%s\n", length(msg), msg
		}
	}'
}

# record N: N older lines of a record of sends, as a's would be.
record () {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i += 2) {
			d = int(i / 274); m = 1 + int(d / 28) % 12; dd = 1 + d % 28
			printf "2025-%02d-%02dT12:00:00Z\tb\t2025%02d%02dT120000Z-a-%012x\tnote\n", m, dd, m, dd, i
		}
	}'
}

printf '%-28s %8s %9s %9s\n' operation archived 'ms' 'vs 0'
for n in $sizes; do
	d="$tmp/n$n"
	mkdir -p "$d"
	cd "$d"
	archived_hub hub.git "$n" archive_both
	bus-init -q -a a hub.git st-a >/dev/null
	bus-init -q -a b hub.git st-b >/dev/null
	record "$n" >st-a/.git/bus-sent
	bus-recv -q -C st-a -f id >/dev/null

	# one message read and acked, one custom id read, one unread
	acked=$(bus-send -C st-a b "to be acked")
	bus-send -C st-a -i "custom-$n" b "custom" >/dev/null
	bus-recv -C st-b -f id | bus-ack -C st-b --reply - >/dev/null
	unread=$(bus-send -C st-a b "unread")
	bus-recv -q -C st-a -f id | bus-ack -C st-a - >/dev/null
	rm -f ./*.ms

	i=0
	while [ $i -lt "$runs" ]; do
		time_it acked.ms bus-status -n -C st-a "$acked"
		time_it custom.ms bus-status -n -C st-a "custom-$n"
		time_it unread.ms bus-status -n -C st-a "$unread"
		time_it listing.ms bus-status -n -C st-a
		time_it synced.ms bus-status -C st-a "$acked"
		time_it fetch.ms git -C st-a fetch -q origin
		i=$((i + 1))
	done
	for op in acked custom unread listing synced fetch; do
		m=$(median $op.ms)
		[ "$n" = "$(echo $sizes | cut -d' ' -f1)" ] && eval "base_$op=$m"
		eval "b=\$base_$op"
		printf '%-28s %8d %9d %9.2f\n' "$op" "$n" "$m" \
			"$(ratio "$m" "$b")"
	done
done
