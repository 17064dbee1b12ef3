#!/bin/sh
# goals-bench.sh: every row of the table of issue 13, side by side over
# three transports, in one run: a hub on a local path, the same over
# ssh on 127.0.0.1 (an sshd of our own), and that ssh with a delay per
# connection (wan), at 0, 10,000 and 100,000 archived messages; and the
# peak memory of bus-send and bus-recv.  The plain way of the original
# design (pull --rebase, write, add -A, commit, push) goes through the
# same transport into a plain hub (git init --bare, no hook).
#
# usage: bench/goals-bench.sh [-r runs] [-s "sizes"] [-c "stations"]
#                             [-m msgs] [-t "transports"] [-d ms]
#	-r	timed runs of each operation, the median kept (7)
#	-s	archived messages in the hubs ("0 10000 100000"); the
#		first size is the one "send at N / send at 0" divides by
#	-c	stations sending at once, each count a crowd ("8 16")
#	-m	sends per station in a crowd (20)
#	-t	transports, any of local, ssh and wan ("local ssh wan")
#	-d	the delay of wan, in ms per connection (50)
# The same options as bus-bench.sh, so that make bench's BENCH_FLAGS
# serve both.  The tools must be on PATH (make bench does that).
# Figures, never assertions: the goal column is the issue's, to read
# the figures against, and nothing fails when one is missed.
set -eu
. "$(dirname "$0")/lib.sh"

runs=7
sizes="0 10000 100000"
crowds="8 16"
per=20
vias="local ssh wan"
bench_options "goals-bench.sh [-r runs] [-s sizes] [-c stations] [-m msgs] [-t transports] [-d ms]" "$@"

bench_git_home
first=${sizes%% *}
mkdir "$tmp/res"

# put KEY VALUE: a figure of the current transport, for the tables.
put () {
	echo "$2" >"$tmp/res/$transport_kind.$1"
}

# progress: a full run takes long; say where it is (on stderr, so that
# stdout holds the tables only).
progress () {
	echo "goals-bench: $transport_kind: $*" >&2
}

# count KEY CMD...: run CMD and keep how many connections to the hub it
# opened (KEY) and how many of them were ssh logins (KEY.logins).  Each
# fetch or push is a connection: git traces each time it starts
# upload-pack or receive-pack, itself for a path or through ssh, for the
# bus tools and the plain way alike (the hub's own processes start
# neither).  A connection through an ssh master that is already there
# is no login.  Counted apart from the timed runs, since tracing costs.
count () {
	_key=$1
	shift
	rm -f "$tmp/trace"
	_l0=$(logins)
	(GIT_TRACE="$tmp/trace" && export GIT_TRACE && "$@" >/dev/null)
	put "$_key" "$(grep -c -E "run_command: .*git-(upload|receive)-pack" \
		"$tmp/trace" || true)"
	put "$_key.logins" "$(logins_since "$_l0")"
}

# logins_since N: the ssh logins since there were N; "-" over a path.
logins_since () {
	if [ "$transport_kind" = local ]; then
		echo -
	else
		echo $(($(logins) - $1))
	fi
}

# A git for BUS_GIT that records the peak memory (KiB) and the command
# line of each git process the tools run, in $tmp/git.mem.
cat >"$tmp/git-weighed" <<EOF
#!/bin/sh
exec /usr/bin/time -a -o "$tmp/git.mem" -f "%M %C" git "\$@"
EOF
chmod +x "$tmp/git-weighed"

# weigh KEY CMD...: the peak memory of CMD, a bus tool: GNU time's %M
# (KEY.all), which on Linux is that of the largest one process among
# the tool and those it waited for: its git commands with their ssh,
# its own ssh -G, and over a local path the hub's receive-pack or
# upload-pack too (over ssh these run under sshd and do not count);
# and the largest git command with its name (KEY.git), to tell whether
# the peak is git's or the tool's own.
weigh () {
	_key=$1
	shift
	rm -f "$tmp/git.mem"
	BUS_GIT="$tmp/git-weighed" /usr/bin/time -o "$tmp/all.mem" -f %M \
		"$@" >/dev/null
	# "Command exited with non-zero status" lines are time's, not ours
	_all=$(awk '/^[0-9]+$/ { m = $1 } END { print m + 0 }' "$tmp/all.mem")
	_git=$(awk '/^[0-9]+ / {
		for (i = 3; i <= NF; i++) {
			if ($i == "-C" || $i == "-c") { i++; continue }
			if ($i !~ /^-/) break
		}
		if ($1 > m) { m = $1; name = $i }
	} END { print m + 0, name }' "$tmp/git.mem")
	put "$_key.all" "$_all"
	put "$_key.git" "$_git"
}

# A hub of N archived messages, three times: hub.git made by bus-init
# --hub (its hooks and settings), plain.git, git init --bare with the
# same history, and gitchk.git, the same with the receive.* checks of
# hub.git (git's fsck of what is pushed, no rewinding, no deleting) but
# no hook, to tell git's share of a hooked hub's cost from the hooks'.
# Stations of a and b on hub.git; st-p, of a, on plain.git, to send
# into a plain hub, and st-g on gitchk.git; plain-a and plain-b, clones
# of plain.git, for the plain way, which the issue measures against a
# hub with no hook.  All reached over the current transport.
hubs () {
	archived_hub hub.git "$1"
	bus-init -q -a a "$(hub_url hub.git)" st-a >/dev/null
	bus-init -q -a b "$(hub_url hub.git)" st-b >/dev/null
	git init -q --bare plain.git
	git -C hub.git push -q "$PWD/plain.git" main
	bus-init -q -a a "$(hub_url plain.git)" st-p >/dev/null
	# git's own checks that bus-init --hub turns on, without the hooks
	git init -q --bare gitchk.git
	git -C hub.git push -q "$PWD/gitchk.git" main
	git -C hub.git config --get-regexp '^receive\.' |
	while read -r _k _v; do git -C gitchk.git config "$_k" "$_v"; done
	bus-init -q -a a "$(hub_url gitchk.git)" st-g >/dev/null
	git clone -q "$(hub_url plain.git)" plain-a
	git clone -q "$(hub_url plain.git)" plain-b
}

# at_size N: the figures of one size over the current transport.  Every
# station is brought up to date, untimed, before its timed command, so
# that a send or an ack is that of a current station (one connection,
# issue 13 item 1) and the plain way pulls nothing.
at_size () {
	progress "$1 archived"
	d="$tmp/$transport_kind-$1"
	mkdir "$d"
	cd "$d"
	hubs "$1"
	i=0
	while [ $i -lt "$runs" ]; do
		bus-recv -q -C st-a -f id >/dev/null
		time_it send.ours bus-send -C st-a b "message $i"
		bus-recv -C st-b -f id >ids
		time_it ack.ours bus-ack -C st-b $(cat ids)
		# b's own ack was the last push: nothing new for it
		time_it idle.ours bus-recv -C st-b -f id
		time_it idle.fetch git -C st-b fetch -q origin
		bus-recv -q -C st-p -f id >/dev/null
		time_it send.nohook bus-send -C st-p b "message $i"
		bus-recv -q -C st-g -f id >/dev/null
		time_it send.gitchk bus-send -C st-g b "message $i"
		git -C plain-a pull -q --rebase
		time_it send.plain plain_send plain-a "plain-$1-$i"
		git -C plain-b pull -q --rebase
		time_it ack.plain plain_ack plain-b "plain-$1-$i"
		i=$((i + 1))
	done
	for f in send.ours ack.ours idle.ours idle.fetch send.nohook \
	    send.gitchk send.plain ack.plain; do
		put "$f.$1" "$(median $f)"
	done

	bus-recv -q -C st-a -f id >/dev/null
	count conn.send.$1 bus-send -C st-a b counted
	bus-recv -C st-b -f id >ids
	count conn.ack.$1 bus-ack -C st-b $(cat ids)
	git -C plain-a pull -q --rebase
	count conn.psend.$1 plain_send plain-a "counted-$1"
	git -C plain-b pull -q --rebase
	count conn.pack.$1 plain_ack plain-b "counted-$1"

	# a send from a current station; the recv that brings it to b
	bus-recv -q -C st-a -f id >/dev/null
	weigh mem.send.$1 bus-send -C st-a b weighed
	weigh mem.recv.$1 bus-recv -C st-b -f id
	cd "$tmp"
	rm -rf "$d"
}

# per_msg COUNT: COUNT for each of the $_n messages, two decimals.
per_msg () {
	printf '%.2f' "$(ratio "$1" $_n)"
}

# crowd_figures K MODE MS LOGINS: what the K stations of a crowd or a
# series left here, its wall time MS and the ssh logins it took.
crowd_figures () {
	_n=$(($1 * per))
	put "$2.ms.$1" "$3"
	put "$2.conn.$1" "$(per_msg "$(traced_connections)")"
	if [ "$4" = - ]; then
		put "$2.logins.$1" -
	else
		put "$2.logins.$1" "$(per_msg "$4")"
	fi
	# a send gives up with 75 after 10 lost races and says so; any
	# other failure (a 75 without those words is a hub that did not
	# answer) is counted apart
	_races=$(crowd_gave_up)
	_failed=$(crowd_failed)
	put "$2.races.$1" "$_races/$_n"
	put "$2.other.$1" "$((_failed - _races))/$_n"
	put "$2.lost.$1" "$(crowd_lost "$1")"
}

# crowd_series K PER ORDER: the sends of a crowd one at a time, in
# one of two orders: turns, the stations take turns, one send each, so
# that each send finds the hub moved by another station since its own
# last look, as in the crowd; each, a station makes all its sends
# before the next one starts, so that all but its first find it
# current.  Prints the wall time in ms.
crowd_series () {
	_t0=$(now_ms)
	_i=0
	while [ $_i -lt $(($1 * $2)) ]; do
		if [ "$3" = turns ]; then
			crowd_send $((_i % $1 + 1)) $((_i / $1))
		else
			crowd_send $((_i / $2 + 1)) $((_i % $2))
		fi
		_i=$((_i + 1))
	done
	echo $(($(now_ms) - _t0))
}

# crowds: for each count K of -c, K stations on an empty hub send PER
# messages each to one sink, all at once.  For the first count only (a
# series is slow over ssh), the same sends are also made in series,
# each order of crowd_series on a fresh hub of its own.
crowds () {
	for k in $crowds; do
		modes=crowd
		[ "$k" != "${crowds%% *}" ] || modes="crowd turns each"
		progress "$k stations x $per sends: $modes"
		for mode in $modes; do
			d="$tmp/$transport_kind-$mode$k"
			mkdir "$d"
			cd "$d"
			crowd_setup "$k"
			l0=$(logins)
			if [ $mode = crowd ]; then
				crowd "$k" "$per"
				ms=$crowd_ms
			else
				ms=$(crowd_series "$k" "$per" $mode)
			fi
			crowd_figures "$k" $mode "$ms" "$(logins_since "$l0")"
			cd "$tmp"
			rm -rf "$d"
		done
	done
}

done_vias=
for via in $vias; do
	if ! transport "$via"; then
		echo "goals-bench: no $via rows: $transport_why" >&2
		echo "$transport_why" >"$tmp/res/$via.skipped"
		done_vias="$done_vias $via"
		continue
	fi
	for n in $sizes; do
		at_size "$n"
	done
	crowds
	done_vias="$done_vias $via"
done

# profile-merge has no transport: merge-bench.sh's figures, once.
echo "goals-bench: profile-merge" >&2
sh "$bench_dir/merge-bench.sh" -r 3 -s "1 5000,1 50000" >"$tmp/merge"
merge_small=$(awk '/^1 x 5000 facts/ { print $NF }' "$tmp/merge")
merge_ratio=$(awk '/^ratio/ { print $NF }' "$tmp/merge")

# The tables.  get KEY: the figure of transport $via, "-" if none.
get () {
	if [ -f "$tmp/res/$via.$1" ]; then cat "$tmp/res/$via.$1"; else echo -; fi
}

# row LABEL ARCHIVED GOAL EXPR: a line, EXPR evaluated for each
# transport (with get) to make its cell.
row () {
	printf '%-40s %8s' "$1" "$2"
	for via in $done_vias; do
		printf ' %12s' "$(eval "$4")"
	done
	if [ -n "$3" ]; then printf '  %s\n' "$3"; else echo; fi
}

# header TITLE GOAL: the line above a table.
header () {
	printf '%-40s %8s' "$1" archived
	for via in $done_vias; do
		printf ' %12s' "$via"
	done
	if [ -n "$2" ]; then printf '  %s\n' "$2"; else echo; fi
}

# r2 KEY1 KEY2: the ratio of two figures, two decimals, or "-".
r2 () {
	_a=$(get "$1") _b=$(get "$2")
	if [ "$_a" = - ] || [ "$_b" = - ]; then
		echo -
	else
		printf '%.2f' "$(ratio "$_a" "$_b")"
	fi
}

# pair KEY1 KEY2: "ours (plain way)", or "-" when there is no figure.
pair () {
	if [ "$(get "$1")" = - ]; then
		echo -
	else
		echo "$(get "$1") ($(get "$2"))"
	fi
}

# mib KiB: in MiB, one decimal.
mib () {
	case $1 in
	-) echo - ;;
	*) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;;
	esac
}

echo "Issue 13, side by side: local = a path; ssh = sshd on 127.0.0.1;"
echo "wan = that ssh, $wan_ms ms slept before each connection.  Medians of $runs;"
echo "the goals are the issue's (figures, never assertions)."
for via in $done_vias; do
	[ ! -f "$tmp/res/$via.skipped" ] ||
		echo "$via: skipped: $(cat "$tmp/res/$via.skipped")"
done
echo
c1=${crowds%% *}
header "" goal
for n in $sizes; do
	row "connections, send (plain way)" "$n" 1 \
	    'pair conn.send.$n conn.psend.$n'
	row "connections, ack (plain way)" "$n" 1 \
	    'pair conn.ack.$n conn.pack.$n'
	row "ssh logins, send (plain way)" "$n" "" \
	    'pair conn.send.$n.logins conn.psend.$n.logins'
	row "ssh logins, ack (plain way)" "$n" "" \
	    'pair conn.ack.$n.logins conn.pack.$n.logins'
done
for n in $sizes; do
	[ "$n" = "$first" ] ||
	row "send at N / send at $first" "$n" "<= 1.3 (100k)" \
	    'r2 send.ours.$n send.ours.$first'
done
for n in $sizes; do
	row "recv, nothing new / bare git fetch" "$n" "<= 1.2 (100k)" \
	    'r2 idle.ours.$n idle.fetch.$n'
done
for n in $sizes; do
	row "send, hooked hub / plain hub" "$n" "<= 1.15" \
	    'r2 send.ours.$n send.nohook.$n'
	row "  its receive.* checks, no hook / plain" "$n" "" \
	    'r2 send.gitchk.$n send.nohook.$n'
	row "  its hooks: hooked / those checks alone" "$n" "" \
	    'r2 send.ours.$n send.gitchk.$n'
done
for k in $crowds; do
	row "connections a message, $k x $per at once" 0 "<= 2.4 (8 x 20)" \
	    'get crowd.conn.$k'
done
for k in $crowds; do
	row "sends that gave up (75), $k x $per" 0 "0 (16 stations)" \
	    'get crowd.races.$k'
done
if [ -n "$c1" ]; then
	row "wall, $c1 at once / in series, turns" 0 "<= 1.5 (8 stations)" \
	    'r2 crowd.ms.$c1 turns.ms.$c1'
	row "wall, $c1 at once / in series, each" 0 "" \
	    'r2 crowd.ms.$c1 each.ms.$c1'
fi
printf '%-40s %8s %12s  %s\n' "profile-merge, 50,000 / 5,000 facts" - \
	"${merge_ratio:--}" "<= 13 (no transport)"
printf '%-40s %8s %12s  %s\n' "profile-merge, 5,000 facts (ms)" - \
	"${merge_small:--}" "< 50 (no transport)"

echo
header "milliseconds; ratios to the plain way" ""
for n in $sizes; do
	row "send" "$n" "" 'get send.ours.$n'
	row "send into the plain hub" "$n" "" 'get send.nohook.$n'
	row "send into it with receive.* checks" "$n" "" \
	    'get send.gitchk.$n'
	row "send, plain way" "$n" "" 'get send.plain.$n'
	row "send / plain way" "$n" "" 'r2 send.ours.$n send.plain.$n'
	row "ack" "$n" "" 'get ack.ours.$n'
	row "ack, plain way" "$n" "" 'get ack.plain.$n'
	row "ack / plain way" "$n" "" 'r2 ack.ours.$n ack.plain.$n'
	row "recv, nothing new" "$n" "" 'get idle.ours.$n'
	row "bare git fetch" "$n" "" 'get idle.fetch.$n'
done

echo
[ -z "$crowds" ] ||
header "$per sends a station, to one sink" ""
for k in $crowds; do
	for mode in crowd turns each; do
		# the series ran for the first count only
		[ $mode = crowd ] || [ "$k" = "$c1" ] || continue
		case $mode in
		crowd) what="$k at once" ;;
		turns) what="$k in series, turns" ;;
		each) what="$k in series, each" ;;
		esac
		row "$what, wall (ms)" 0 "" 'get $mode.ms.$k'
		row "$what, connections a msg" 0 "" 'get $mode.conn.$k'
		row "$what, ssh logins a msg" 0 "" 'get $mode.logins.$k'
		row "$what, gave up (75)" 0 "" 'get $mode.races.$k'
		row "$what, failed otherwise" 0 "" 'get $mode.other.$k'
		row "$what, ids lost" 0 "" 'get $mode.lost.$k'
	done
done

echo
header "peak memory (MiB)" ""
for n in $sizes; do
	for t in send recv; do
		row "bus-$t, with its git" "$n" "" 'mib "$(get mem.$t.$n.all)"'
		row "bus-$t, largest git" "$n" "" \
		    'mib "$(get mem.$t.$n.git | cut -d" " -f1)"'
		row "bus-$t, largest git is" "$n" "" \
		    'get mem.$t.$n.git | cut -d" " -f2'
	done
done
