#!/bin/sh
# hook-bench.sh: what the hub's pre-receive check costs.  A push of
# one message, of 1,000 new messages in one commit, and of 100 commits
# of 10 messages,
# to a hub with the hook and to the same hub without it; and bus-check
# --range on the same commits alone.  Medians of 5 runs, in ms.
#
# usage: bench/hook-bench.sh   (the tools on PATH; make bench does that)
set -eu
. "$(dirname "$0")/lib.sh"

runs=9
bench_git_home

# messages FROM N [COMMITS]: write N messages into inbox-b of ./raw,
# committed in COMMITS commits.
messages () {
	_per=$(($2 / ${3:-1}))
	_c=0
	while [ $_c -lt "${3:-1}" ]; do
		_i=0
		while [ $_i -lt $_per ]; do
			printf '{"id":"%s-%d-%d","ts":"2026-11-28T10:15:00Z","from":"a","to":"b","type":"note","body":"bench"}\n' \
				"$1" $_c $_i >"raw/inbox-b/$1-$_c-$_i.json"
			_i=$((_i + 1))
		done
		git -C raw add inbox-b && git -C raw commit -q --no-verify -m "m $_c"
		_c=$((_c + 1))
	done
}

cd "$tmp"
bus-init -q --hub hub.git
bus-init -q -a b hub.git st-b >/dev/null
git clone -q --bare hub.git nohook.git
git -C nohook.git config receive.denyNonFastForwards true

printf '%-28s %10s %10s %10s\n' push 'hook(ms)' 'none(ms)' 'check(ms)'
for shape in "1 1" "1000 1" "1000 100"; do
	set -- $shape
	rm -f h.ms n.ms c.ms
	r=0
	while [ $r -lt $runs ]; do
		rm -rf raw
		git clone -q hub.git raw
		git -C raw remote add nohook "$tmp/nohook.git"
		git -C raw fetch -q nohook
		git -C raw reset -q --hard nohook/main 2>/dev/null || true
		git -C raw reset -q --hard origin/main
		messages "r$r-$2" "$1" "$2"
		t0=$(now_ms)
		bus-check -q -C raw --range origin/main..HEAD
		t1=$(now_ms)
		git -C raw push -q origin HEAD:main
		t2=$(now_ms)
		git -C raw push -q -f nohook HEAD:main
		t3=$(now_ms)
		echo $((t1 - t0)) >>c.ms
		echo $((t2 - t1)) >>h.ms
		echo $((t3 - t2)) >>n.ms
		r=$((r + 1))
	done
	printf '%-28s %10d %10d %10d\n' "$1 messages in $2 commit(s)" \
		"$(median h.ms)" "$(median n.ms)" "$(median c.ms)"
done
