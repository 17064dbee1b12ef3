#!/bin/sh
# merge-bench.sh: profile-merge on a 5,000-fact profile, three-way, in
# two shapes: one section of 5,000 facts, and 50 sections of 100.  Each
# side removes every 50th fact of its own and adds 100 facts of its
# own.  Median of 11 runs, in ms.
#
# usage: bench/merge-bench.sh   (profile-merge on PATH; make bench)
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

now_ms () {
	date +%s%3N
}

median () {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# profile SECTIONS PER: a base of SECTIONS x PER facts.
profile () {
	awk -v ns="$1" -v per="$2" 'BEGIN {
		for (s = 0; s < ns; s++) {
			printf "# Section %d\n\n", s
			for (i = 0; i < per; i++)
				printf "- fact %d of %d: w%da w%db w%dc\n", i, s, i, s, i
			printf "\n"
		}
	}'
}

# side BASE OFFSET TAG: drop every 50th fact from OFFSET, add 100 new.
side () {
	awk -v off="$2" 'NR % 50 != off' "$1"
	awk -v tag="$3" 'BEGIN { for (i = 0; i < 100; i++)
		printf "- %s new %d: %s%da %s%db\n", tag, i, tag, i, tag, i }'
}

printf '%-24s %8s\n' profile 'ms'
for shape in "1 5000" "50 100"; do
	set -- $shape
	profile "$1" "$2" >base.md
	side base.md 0 ours >ours.md
	side base.md 25 theirs >theirs.md
	rm -f t.ms
	r=0
	while [ $r -lt 11 ]; do
		t0=$(now_ms)
		profile-merge -q base.md ours.md theirs.md >out.md
		t1=$(now_ms)
		echo $((t1 - t0)) >>t.ms
		r=$((r + 1))
	done
	printf '%-24s %8d\n' "$1 x $2 facts" "$(median t.ms)"
done
