#!/bin/sh
# merge-bench.sh: profile-merge three-way on profiles of three shapes:
# one section of 5,000 facts, one of 50,000, and 50 sections of 100.
# Each side removes every 50th fact of its own and adds 100 facts of
# its own.  Median of 11 runs (3 for 50,000 facts), in ms; the last
# line is the ratio of 50,000 facts to 5,000 in one section, which
# linear work keeps near 10 and all-pairs comparing near 100.
#
# usage: bench/merge-bench.sh [-r runs] [-s "shape,..."]
# where a shape is "sections facts-per-section", for instance
# -s "1 5000,1 50000".  profile-merge must be on PATH (make bench).
set -eu
. "$(dirname "$0")/lib.sh"

runs=
shapes="1 5000,1 50000,50 100"
while getopts r:s: opt; do
	case $opt in
	r) runs=$OPTARG ;;
	s) shapes=$OPTARG ;;
	*) echo "usage: merge-bench.sh [-r runs] [-s shapes]" >&2
	   exit 64 ;;
	esac
done

cd "$tmp"

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
small= big=
IFS_save=$IFS
IFS=,
for shape in $shapes; do
	IFS=$IFS_save
	set -- $shape
	n=${runs:-11}
	[ -n "$runs" ] || [ "$1" -gt 1 ] || [ "$2" -lt 50000 ] || n=3
	profile "$1" "$2" >base.md
	side base.md 0 ours >ours.md
	side base.md 25 theirs >theirs.md
	rm -f t.ms
	r=0
	while [ $r -lt "$n" ]; do
		t0=$(now_ms)
		profile-merge -q base.md ours.md theirs.md >out.md
		t1=$(now_ms)
		echo $((t1 - t0)) >>t.ms
		r=$((r + 1))
	done
	ms=$(median t.ms)
	printf '%-24s %8d\n' "$1 x $2 facts" "$ms"
	[ "$shape" != "1 5000" ] || small=$ms
	[ "$shape" != "1 50000" ] || big=$ms
	IFS=,
done
IFS=$IFS_save
if [ -n "$small" ] && [ -n "$big" ] && [ "$small" -gt 0 ]; then
	awk -v a="$small" -v b="$big" \
	    'BEGIN { printf "%-24s %8.1f\n", "ratio 50000 / 5000", b / a }'
fi
