#!/bin/sh
# show-bench.sh: bus-show and bus-recv --archive on a hub holding 0,
# 10,000 and 100,000 archived messages (half to each agent, about 274 a
# day for a year, in commits of 1,000; three of every four answer the
# one before, so that threads and the index of replies are as on a
# bus that is used).  A lookup by id must cost about the same at every
# size; a listing of the whole archive grows with it, a week of it not.
#
# usage: bench/show-bench.sh [-r runs] [-s "sizes"]
# The tools must be on PATH (make bench does that).  Figures, never
# assertions: compare the ratios within one run.
set -eu
. "$(dirname "$0")/lib.sh"

runs=5
sizes="0 10000 100000"
while getopts r:s: opt; do
	case $opt in
	r) runs=$OPTARG ;;
	s) sizes=$OPTARG ;;
	*) echo "usage: show-bench.sh [-r runs] [-s sizes]" >&2
	   exit 64 ;;
	esac
done

bench_git_home

# threads N: fast-import commits of 1,000 archived messages, a to b and
# b to a in turn, through 2025; message i answers i - 1 unless i is a
# multiple of 4.
threads () {
	awk -v n="$1" '
	function id(i) {
		d = int(i / 274); m = 1 + int(d / 28) % 12; dd = 1 + d % 28
		return sprintf("2025%02d%02dT120000Z-%s-%012x", m, dd,
		    i % 2 ? "b" : "a", i)
	}
	BEGIN {
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
			re = i % 4 ? sprintf(",\"re\":\"%s\"", id(i - 1)) : ""
			msg = sprintf("{\"id\":\"%s\",\"ts\":\"%sT12:00:00Z\",\"from\":\"%s\",\"to\":\"%s\",\"type\":\"note\",\"body\":\"archived message %d\"%s}\n", id(i), day, from, to, i, re)
			printf "M 100644 inline archive-%s/%s/%s.json\n", to, day, id(i)
			printf "data %d\n%s\n", length(msg), msg
		}
	}'
}

printf '%-28s %8s %9s %9s %9s\n' operation archived 'ms' 'vs 0' 'printed'
for n in $sizes; do
	d="$tmp/n$n"
	mkdir -p "$d"
	cd "$d"
	archived_hub hub.git "$n" threads
	bus-init -q -a a hub.git st-a >/dev/null
	bus-init -q -a b hub.git st-b >/dev/null

	# a question and its answer, read; a custom id, read
	q=$(bus-send -C st-a b "is the build green?")
	r=$(bus-send -C st-b -r "$q" a "yes")
	bus-send -C st-a -i "custom-$n" b "custom" >/dev/null
	bus-recv -C st-b -f id | bus-ack -C st-b - >/dev/null
	bus-recv -q -C st-a -f id | bus-ack -C st-a - >/dev/null
	bus-recv -q -C st-b >/dev/null
	idx=$(git -C st-b rev-parse --absolute-git-dir)/bus-threads
	rm -f ./*.ms ./*.out

	i=0
	while [ $i -lt "$runs" ]; do
		time_it show.ms sh -c "bus-show -n -C st-b '$q' >show.out"
		time_it custom.ms sh -c "bus-show -n -C st-b 'custom-$n' >custom.out"
		time_it missing.ms sh -c "bus-show -n -C st-b \
		    20251130T120000Z-c-000000000000 >missing.out 2>&1 || :"
		rm -f "$idx"
		time_it thread-cold.ms sh -c "bus-show -n -T -C st-b '$r' >thread-cold.out"
		time_it thread.ms sh -c "bus-show -n -T -C st-b '$r' >thread.out"
		time_it archive.ms sh -c "bus-recv -n -C st-b --archive -f id >archive.out"
		time_it grep.ms sh -c "bus-recv -n -C st-b --archive \
		    --grep 'message 4242\$' -f id >grep.out"
		time_it week.ms sh -c "bus-recv -n -C st-b --archive \
		    --since 2025-02-01 --until 2025-02-07 -f id >week.out"
		i=$((i + 1))
	done
	for op in show custom missing thread-cold thread archive grep week; do
		m=$(median $op.ms)
		[ "$n" = "$(echo $sizes | cut -d' ' -f1)" ] && eval "base_$(echo $op | tr - _)=$m"
		eval "b=\$base_$(echo $op | tr - _)"
		printf '%-28s %8d %9d %9.2f %9d\n' "$op" "$n" "$m" \
			"$(ratio "$m" "$b")" "$(wc -l <$op.out)"
	done
done
