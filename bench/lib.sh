# lib.sh: what the bench scripts share.  Each sources it first thing,
#
#	. "$(dirname "$0")/lib.sh"
#
# since make bench runs them as $(SHELL) $(srcdir)/bench/x.sh from the
# build directory: $0 is the only thing that knows where bench/ is.
#
# Sourcing makes $tmp, a fresh directory that is removed on exit (also
# on ^C or a kill, after stopping the sshd of `transport`, if started),
# and sets $bench_dir to this directory.
#
#	bench_options USAGE "$@"	the options of bus-bench.sh,
#				goals-bench.sh and write-bench.sh
#				(BENCH_FLAGS goes to all three)
#	bench_git_home		git alike on every machine: HOME in $tmp,
#				no system config, C locale, UTC, an identity
#	now_ms			the wall clock in milliseconds
#	median FILE		the median of the numbers in FILE
#	time_it FILE CMD...	run CMD, append its wall time in ms to FILE
#	ratio A B		A / B (A when B is 0)
#	archive N		a fast-import stream of N archived messages
#	archived_hub DIR N	a hub (bus-init --hub) holding archive N
#	plain_send DIR ID	the original design's send, porcelain git
#	plain_ack DIR ID	and its ack
#	transport KIND		reach the hubs over local, ssh or wan
#	hub_url PATH		how a station reaches the hub at PATH
#	logins			ssh logins our sshd has accepted so far
#	hub_direct DIR		the hub at DIR in direct mode (no sequencer)
#	crowd_setup K [MODE]	a hub (queue or direct) and K stations that
#				send to a sink
#	crowd_send S J		station S sends its message number J
#	crowd K PER		the K stations send PER messages each, at once
#	crowd_lost K		ids printed but missing from the hub
#	traced_connections	the fetches and pushes in a crowd's traces
#	crowd_gave_up		its sends that lost the race 10 times (75)
#	crowd_failed		its sends that exited non-zero, gave up too

bench_dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
sshd_dir=
crowd_pids=

# An interrupted run must not leave an sshd behind, nor an ssh master,
# nor $tmp: a signal exits through the EXIT trap (sh runs no EXIT trap
# on a signal alone), SIGPIPE too (the output piped into head, say).
bench_exit () {
	stop_crowd
	if [ -n "$sshd_dir" ]; then
		stop_masters
		stop_sshd
	fi
	rm -rf "$tmp"
}
trap bench_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# bench_options USAGE ARGS...: read -r runs, -s sizes, -c crowds,
# -m per, -t vias and -d wan_ms over the script's own defaults; a wrong
# option, or a transport that is none of ours, prints USAGE and exits 64.
bench_options () {
	_usage=$1
	shift
	while getopts c:d:m:r:s:t: _opt; do
		case $_opt in
		c) crowds=$OPTARG ;;
		d) wan_ms=$OPTARG ;;
		m) per=$OPTARG ;;
		r) runs=$OPTARG ;;
		s) sizes=$OPTARG ;;
		t) vias=$OPTARG ;;
		*) bench_usage ;;
		esac
	done
	for _via in $vias; do
		case $_via in
		local|ssh|wan) ;;
		*) bench_usage ;;
		esac
	done
}

bench_usage () {
	echo "usage: $_usage" >&2
	exit 64
}

bench_git_home () {
	export HOME="$tmp" LC_ALL=C TZ=UTC GIT_CONFIG_NOSYSTEM=1
	git config --global user.name bench
	git config --global user.email bench@example.com
	git config --global init.defaultBranch main
}

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

# ratio A B: A / B, for printf to round; a time of 0 ms counts as 1.
ratio () {
	echo "$1 $2" | awk '{ print $1 / ($2 ? $2 : 1) }'
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

# archived_hub DIR N [GENERATOR]: a hub at DIR whose branch holds what
# GENERATOR N (archive by default) writes, packed as a hub that has
# lived would be.
archived_hub () {
	bus-init -q --hub "$1"
	${3:-archive} "$2" | git -C "$1" fast-import --quiet
	git -C "$1" gc -q
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

# Transports.  The hubs are on this machine; what differs is how the
# stations reach them, the bus tools and the plain way alike (both use
# the station's remote and GIT_SSH_COMMAND):
#	local	a path: git runs upload-pack and receive-pack itself
#	ssh	ssh://USER@127.0.0.1:PORT/PATH, an sshd of our own (the one
#		of the tests, tests/lib-sshd.sh), started on first use
#	wan	the same sshd through a wrapper that sleeps $wan_ms before
#		each connection: a round trip of a distant hub, paid once
#		per connection (a real one is paid again by each exchange
#		within it, so this is the least a WAN user would feel)
# Over ssh the tools may share one login among their commands through
# a control master (issue 13 item 2) that outlives them for a while:
# its socket goes in $tmp ($XDG_RUNTIME_DIR), so that stop_masters
# finds it, and no other run's master is used.
transport_kind=local
wan_ms=50

# transport KIND: the hubs made from now on are reached over KIND.
# Fails, the reason in $transport_why, when sshd cannot run here.
transport () {
	case $1 in
	local)
		unset GIT_SSH_COMMAND ;;
	ssh|wan)
		sshd_up || return 1
		# -F: the tools read ssh's configuration (ssh -G) to leave
		# a user's own sharing alone, and ssh reads the one of the
		# passwd entry's home, not $HOME: keep the machine's out
		GIT_SSH_COMMAND="$sshd_dir/bin/ssh -F /dev/null"
		[ "$1" = ssh ] ||
			GIT_SSH_COMMAND="$sshd_dir/wan/ssh -F /dev/null"
		export GIT_SSH_COMMAND ;;
	*)
		transport_why="no transport $1 (local, ssh or wan)"
		return 1 ;;
	esac
	transport_kind=$1
}

# hub_url PATH: the address of the hub at PATH for the transport.
hub_url () {
	case $1 in
	/*) set -- "$1" ;;
	*) set -- "$PWD/$1" ;;
	esac
	if [ "$transport_kind" = local ]; then
		echo "$1"
	else
		ssh_url "$1"
	fi
}

# sshd_up: start the sshd of tests/lib-sshd.sh once, in $tmp/sshd.
sshd_up () {
	[ -z "$sshd_dir" ] || return 0
	# lib-sshd.sh looks ssh up as it is sourced, which set -e would
	# not survive if ssh is missing
	if ! command -v ssh >/dev/null 2>&1; then
		transport_why="no ssh"
		return 1
	fi
	S=$tmp/sshd
	HOME_DIR=$HOME
	XDG_RUNTIME_DIR=$tmp/run
	export XDG_RUNTIME_DIR
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	. "$bench_dir/../tests/lib-sshd.sh"
	transport_why=$(sshd_missing)
	[ -z "$transport_why" ] || return 1
	sshd_dir=$S
	if ! sshd_setup; then
		transport_why="sshd would not start: $(tail -n 1 "$S/sshd.failed" 2>/dev/null)"
		sshd_dir=
		return 1
	fi
	# sshd drops logins beyond 10 unauthenticated at once (MaxStartups
	# 10:30:100); 16 stations on 2 cores get there, and a dropped login
	# is a 75 that has nothing to do with lost races: not here
	echo "MaxStartups 200" >>"$S/sshd_config"
	stop_sshd
	start_sshd "$(cat "$S/port")" || {
		transport_why="sshd would not restart"
		return 1
	}
	# the wrapper is named ssh too, so that git passes -p and -o as to
	# OpenSSH without probing it with -G (a connection of its own)
	mkdir -p "$S/wan"
	cat >"$S/wan/ssh" <<-EOF
	#!/bin/sh
	# a distant hub: one round trip of $wan_ms ms before each connection,
	# through a shared master or not; none for ssh -G (the configuration
	# printed) or -O (a word to the local master): they reach no host
	for a; do
		case \$a in
		-G|-O*) exec "$S/bin/ssh" "\$@" ;;
		esac
	done
	sleep $(ratio "$wan_ms" 1000)
	exec "$S/bin/ssh" "\$@"
	EOF
	chmod +x "$S/wan/ssh"
}

# masters: the pids of the ssh control masters of this run, whose title
# names their socket in $tmp (also once the socket is gone).
masters () {
	ps -eo pid=,args= |
	awk -v p="ssh: $XDG_RUNTIME_DIR/" 'index($0, p) && / \[mux\]$/ { print $1 }'
}

# stop_masters: ask each master to exit through its socket, end by pid
# any that did not, and wait until they are gone.
stop_masters () {
	for _sock in "$XDG_RUNTIME_DIR"/git-bus/*; do
		[ ! -S "$_sock" ] || "$SSH" -O exit -S "$_sock" x 2>/dev/null || true
	done
	_n=0
	while [ -n "$(masters)" ] && [ $_n -lt 50 ]; do
		[ $_n -ne 20 ] || kill $(masters) 2>/dev/null || true
		sleep 0.1
		_n=$((_n + 1))
	done
}

# logins: how many ssh logins our sshd accepted so far (a session
# through a master is none); 0 without sshd.
logins () {
	if [ -n "$sshd_dir" ]; then
		grep -c "Accepted publickey" "$sshd_dir/sshd.log" || true
	else
		echo 0
	fi
}

# hub_direct DIR: the hub at DIR in direct mode (bus-init --hub
# --direct), as a hub that runs no hooks of ours after a push (a git
# host): no sequencer, no refs/bus/mode/queue, so the stations push the
# branch and retry the races they lose.  Before any station is made: a
# station learns the mode from its fetches.
hub_direct () {
	bus-init --hub --direct "$1"
}

# crowd_setup K [MODE]: in the current directory, a hub (hub.git) in
# MODE, queue (bus-init --hub's own, the default) or direct, and K
# stations st-1 .. st-K of agents s1 .. sK, with a sink agent
# (st-sink) that they all send to.
crowd_setup () {
	bus-init -q --hub hub.git
	[ "${2:-queue}" = queue ] || hub_direct hub.git
	bus-init -q -a sink "$(hub_url hub.git)" st-sink >/dev/null
	_s=1
	while [ $_s -le "$1" ]; do
		bus-init -q -a "s$_s" "$(hub_url hub.git)" "st-$_s" >/dev/null
		_s=$((_s + 1))
	done
}

# crowd_send S J: station S sends its message J with -v, leaving the
# git commands it ran (and its errors) in trace-S, the id it printed in
# sent-S and its exit status in codes-S.
crowd_send () {
	_rc=0
	bus-send -v -C "st-$1" sink "from $1 number $2" \
		2>>"trace-$1" >>"sent-$1" || _rc=$?
	echo $_rc >>"codes-$1"
}

# crowd K PER: the K stations of crowd_setup send PER messages each,
# all at once; the wall time in ms is left in $crowd_ms.  Run in this
# shell, not in $(...): a ^C then ends the wait at once, and the EXIT
# trap stops the stations (a background job ignores SIGINT).
crowd () {
	_t0=$(now_ms)
	_s=1
	while [ $_s -le "$1" ]; do
		(_j=0; while [ $_j -lt "$2" ]; do
			crowd_send $_s $_j
			_j=$((_j + 1))
		done) &
		crowd_pids="$crowd_pids $!"
		_s=$((_s + 1))
	done
	# by pid: a bare wait would wait for the sshd as well
	wait $crowd_pids
	crowd_pids=
	crowd_ms=$(($(now_ms) - _t0))
}

# stop_crowd: end the stations of an interrupted crowd, each loop and
# the command it is running.
stop_crowd () {
	for _pid in $crowd_pids; do
		pkill -TERM -P "$_pid" 2>/dev/null || true
		kill "$_pid" 2>/dev/null || true
	done
	crowd_pids=
}

# crowd_lost K: how many ids the stations printed are not on the hub.
# A send that gave up (75) left its commit queued: the next sync
# delivers it, so only ids missing after that are lost.
crowd_lost () {
	_s=1
	while [ $_s -le "$1" ]; do
		bus-recv -C "st-$_s" -f id >/dev/null 2>&1 || true
		_s=$((_s + 1))
	done
	git -C hub.git ls-tree --name-only main -- inbox-sink/ |
		sed -n 's|^inbox-sink/\(.*\)\.json$|\1|p' | sort >landed
	cat sent-* | sort >sent
	comm -23 sent landed | wc -l
}

# traced_connections: the fetches and pushes in the -v traces of a
# crowd, each one connection to the hub.
traced_connections () {
	cat trace-* | grep -c -e ' fetch --no-tags ' -e ' push --porcelain ' || true
}

# crowd_gave_up: the sends of a crowd that exited 75 saying they lost
# the race 10 times.
crowd_gave_up () {
	cat trace-* | grep -c "lost the race" || true
}

# crowd_failed: the sends of a crowd that exited non-zero, whatever the
# reason (a 75 without those words is a hub that did not answer).
crowd_failed () {
	cat codes-* | grep -c -v -x 0 || true
}
