#!/bin/sh
test_description='a hub behind a real sshd on 127.0.0.1'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# SPEC section 4 over the transport most hubs use: an OpenSSH server of
# its own (a throwaway host key, a client key, everything in the trash
# directory but the privilege-separation directory), listening on a
# free port of 127.0.0.1 only, and the tools reaching it through
# GIT_SSH_COMMAND.  The hub is hub.git in the trash directory; the
# stations a and b clone it as ssh://USER@127.0.0.1:PORT/.../hub.git.

S=$TRASH_DIRECTORY/ssh
HOME_DIR=$TRASH_DIRECTORY
. "$BUS_SRC_DIR/tests/lib-sshd.sh"
why=$(sshd_missing)
if [ -n "$why" ]; then
	test_skip 'a hub behind a real sshd' "$why"
	test_done
fi
GIT_SSH_COMMAND="$S/bin/ssh"
# One login per connection, and a hub away once sshd stops: without the
# control master of bus(7), which t0730 tests.
BUS_SSH_REUSE=false
export GIT_SSH_COMMAND BUS_SSH_REUSE

# test_expect_failure TITLE COMMANDS: a known breakage, reported as a
# TAP TODO: it fails without failing the script (and says so if fixed).
test_expect_failure () {
	test_count=$((test_count + 1))
	if (cd "$TRASH_DIRECTORY" && eval "$2") >"$TRASH_DIRECTORY/.log" 2>&1
	then
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
	fi
}

# An interrupted run or a failing test must not leave the sshd running.
trap 'stop_sshd' EXIT
trap 'exit 1' INT TERM HUP

# url [PATH]: the ssh:// address of PATH (hub.git) in the trash directory.
url () {
	ssh_url "$TRASH_DIRECTORY/${1:-hub.git}"
}

# calls: how many connections the tools opened so far.
calls () {
	if test -f "$S/calls"; then wc -l <"$S/calls"; else echo 0; fi
}

# connections CMD...: run CMD (stdout to ./out, stderr to ./err) and
# print how many connections it opened; fails when CMD fails.
connections () {
	_before=$(calls) &&
	"$@" >"$TRASH_DIRECTORY/out" 2>"$TRASH_DIRECTORY/err" &&
	echo $(($(calls) - _before))
}

# queued ST: how many commits of the station ST the hub does not have.
queued () {
	git -C "$TRASH_DIRECTORY/$1" rev-list --count origin/main..main
}

# A message that the hub refuses once it takes at most 400 bytes.
BIG="a body long enough to pass 400 bytes once it is a message: $(printf "%0400d" 0)"

test_expect_success 'set up: keys, an sshd on a free port of 127.0.0.1' '
	sshd_setup &&
	port=$(cat "$S/port") &&
	"$S/bin/ssh" -p $port $USER_NAME@127.0.0.1 echo hello >out &&
	echo hello >expect &&
	test_cmp expect out
'

test_expect_success 'bus-init -a makes a station cloned over ssh' '
	bus-init --hub hub.git &&
	bus-init -a a "$(url)" st-a >/dev/null &&
	bus-init -a b "$(url)" st-b >/dev/null &&
	test "$(git -C st-a config remote.origin.url)" = "$(url)" &&
	test "$(git -C st-a config bus.agent)" = a &&
	hub_files >files &&
	grep "^inbox-a/" files && grep "^inbox-b/" files &&
	test $(calls) -ge 4 &&
	grep -F "Accepted publickey for $USER_NAME" "$S/sshd.log"
'

test_expect_success 'running bus-init -a again is harmless' '
	bus-init -a a "$(url)" st-a >/dev/null &&
	test "$(hub_tip)" = "$(git -C st-a rev-parse main)"
'

test_expect_success 'bus-send, bus-recv, bus-ack --reply over ssh' '
	(cd st-a && bus-send b "over ssh") >id &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	(cd st-b && bus-recv) >got &&
	git -C hub.git show "main:inbox-b/$(cat id).json" >expect &&
	test_cmp expect got &&
	(cd st-b && bus-recv -f id | bus-ack --reply -) &&
	hub_files archive-b | grep -F "/$(cat id).json" &&
	(cd st-a && bus-recv --type ack) >acks &&
	grep "\"re\":\"$(cat id)\"" acks
'

test_expect_success 'bus-status over ssh: read, acked, unread counts' '
	id=$(cat id) &&
	(cd st-a && bus-status "$id") >status &&
	grep "\"state\":\"acked\"" status &&
	(cd st-a && bus-send b "unread") >id2 &&
	id=$(cat id2) &&
	(cd st-a && bus-status "$id") >status &&
	grep "\"state\":\"delivered\"" status &&
	(cd st-a && bus-status) >status &&
	grep "^{\"agent\":\"b\",\"unread\":1" status
'

test_expect_success 'bus-sync over ssh: fetches, pushes what is queued' '
	(cd st-b && bus-send --no-push a "queued in b") >id3 &&
	test "$(queued st-b)" = 1 &&
	(cd st-b && bus-sync) >out &&
	grep "^fetched [0-9]* commits*, pushed 1," out &&
	test "$(queued st-b)" = 0 &&
	git -C hub.git cat-file -e "main:inbox-a/$(cat id3).json" &&
	(cd st-a && bus-sync) >out &&
	git -C st-a cat-file -e "main:inbox-a/$(cat id3).json"
'

# SPEC 4, Round trips: each connection is an ssh login, so the count
# that matters is the number of times the tools ran ssh.
test_expect_success 'connections: a send from a current station opens 1 (the push)' '
	(cd st-a && bus-recv -q -f id >/dev/null) &&
	(cd st-b && bus-recv -q -f id >/dev/null) &&
	(cd st-a && connections bus-send b "one round trip") >n &&
	echo 1 >expect && test_cmp expect n &&
	grep "git-receive-pack" "$S/calls" &&
	cp out id4 &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id4).json"
'

test_expect_success 'connections: an idle bus-recv opens 1 (the fetch)' '
	(cd st-a && bus-recv -f id | bus-ack -) &&
	(cd st-a && connections bus-recv -f id) >n &&
	echo 1 >expect && test_cmp expect n &&
	tail -n 1 "$S/calls" | grep "git-upload-pack" &&
	test_must_be_empty out
'

test_expect_success 'connections: an ack from a current station opens 1 (the push)' '
	(cd st-b && bus-recv -q -f id >/dev/null) &&
	id=$(cat id4) &&
	(cd st-b && connections bus-ack "$id") >n &&
	echo 1 >expect && test_cmp expect n &&
	tail -n 1 "$S/calls" | grep "git-receive-pack" &&
	hub_files archive-b | grep -F "/$(cat id4).json"
'

test_expect_success 'connections: a send to an agent not known yet opens 2' '
	bus-init -a late "$(url)" st-late >/dev/null &&
	(cd st-a && connections bus-send late "welcome") >n &&
	echo 2 >expect && test_cmp expect n &&
	git -C hub.git cat-file -e "main:inbox-late/$(cat out).json"
'

test_expect_success 'an unknown agent over ssh: 67, nothing written' '
	hub=$(hub_tip) &&
	(cd st-a && test_expect_code 67 bus-send nobody "hi") >out 2>err &&
	test_must_be_empty out &&
	grep "nobody" err &&
	test "$(hub_tip)" = "$hub" &&
	test "$(git -C st-a rev-parse main)" = "$hub"
'

test_expect_success 'the hub hook refuses over ssh: 65, the commit set aside' '
	git -C hub.git config bus.maxSize 400 &&
	hub=$(hub_tip) &&
	(cd st-a && test_expect_code 65 bus-send b "$BIG") >big 2>err &&
	grep "the hub refused the push" err &&
	grep "larger than 400 bytes" err &&
	test "$(hub_tip)" = "$hub" &&
	git -C st-a for-each-ref --format="%(objectname)" refs/bus/refused/ >refs &&
	test $(wc -l <refs) -eq 1 &&
	git -C st-a cat-file -e "$(cat refs):inbox-b/$(cat big).json" &&
	! git -C st-a cat-file -e "main:inbox-b/$(cat big).json" &&
	test "$(queued st-a)" = 0 &&
	git -C hub.git config --unset bus.maxSize
'

test_expect_success 'sshd stopped: send 75, the work committed in the station' '
	(cd st-a && bus-recv -q -f id >/dev/null) &&
	hub=$(hub_tip) &&
	stop_sshd &&
	(cd st-a && test_expect_code 75 bus-send b "while away") >id5 2>err-send &&
	grep "the work is committed here and the next command that syncs pushes it" err-send &&
	git -C st-a cat-file -e "main:inbox-b/$(cat id5).json" &&
	test "$(queued st-a)" = 1 &&
	test "$(hub_tip)" = "$hub"
'

test_expect_success 'sshd stopped: recv, status and sync answer from the station, 75' '
	(cd st-a && test_expect_code 75 bus-recv -f id) >out 2>err-recv &&
	grep "going on from the station" err-recv &&
	id=$(cat id5) &&
	(cd st-a && test_expect_code 75 bus-status "$id") >out 2>err &&
	grep "\"state\":\"queued\"" out &&
	(cd st-a && test_expect_code 75 bus-sync) >out 2>err-sync
'

# SPEC 4: "The transport's own reason (ssh's or git's line) is shown,
# not only git's last words."  ssh says "ssh: connect to host 127.0.0.1
# port N: Connection refused", then git "fatal: Could not read from
# remote repository." and advice: the tools show both lines.
test_expect_success 'sshd stopped: the tools show the reason ssh gave' '
	grep "Connection refused" err-send &&
	grep "Connection refused" err-recv &&
	grep "Connection refused" err-sync
'

test_expect_success 'sshd back: the next command delivers what was queued' '
	start_sshd "$(cat "$S/port")" &&
	(cd st-a && bus-recv -f id) >out &&
	test "$(queued st-a)" = 0 &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id5).json" &&
	(cd st-b && bus-recv -f id) >got &&
	grep -x "$(cat id5)" got
'

# The exit status of each case over ssh and over a local path: a
# station of each kind (st-a over ssh, st-l with the path) meets the
# same state of the same hub.
test_expect_success 'exit codes: a local station beside the ssh ones' '
	bus-init -a l hub.git st-l >/dev/null &&
	for st in st-a st-b st-l; do
		(cd $st && bus-recv -f id | bus-ack -) || exit 1
	done
'

# code ST CMD...: the exit status of CMD run in the station ST.
code () {
	(cd "$TRASH_DIRECTORY/$1" && shift && "$@") </dev/null >/dev/null 2>&1
	echo $?
}

# same EXPECTED CMD...: CMD exits EXPECTED in st-a (ssh) and in st-l
# (local path), from the same state.
same () {
	_want=$1 &&
	shift &&
	_ssh=$(code st-a "$@") &&
	_local=$(code st-l "$@") &&
	echo "$_want $_want" >"$TRASH_DIRECTORY/expect" &&
	echo "$_ssh $_local" >"$TRASH_DIRECTORY/got" &&
	test_cmp "$TRASH_DIRECTORY/expect" "$TRASH_DIRECTORY/got"
}

test_expect_success 'exit codes: the same over ssh as over a local path' '
	same 0 bus-recv &&
	same 1 bus-recv --wait 1 &&
	same 0 bus-send b "to b" &&
	same 0 bus-status &&
	same 0 bus-sync &&
	same 64 bus-send &&
	same 66 bus-ack 20250101T000000Z-x-0123456789abcdef &&
	same 67 bus-send nobody "hi"
'

test_expect_success 'exit codes: the hub refusing, 65 over both' '
	git -C hub.git config bus.maxSize 400 &&
	same 65 bus-send b "$BIG" &&
	git -C hub.git config --unset bus.maxSize
'

# No such repository: the hub's host answers that it will never have
# it, 69 (SPEC 4), so that a cron job stops retrying.  A hub on a path
# of this machine answers nothing: its path not being there is as often
# storage not mounted as a mistake, 75.
test_expect_success 'exit codes: no such repository on the hub: 69 over ssh, 75 on a path' '
	git -C st-a config remote.origin.url "$(url nowhere.git)" &&
	git -C st-l config remote.origin.url "$TRASH_DIRECTORY/nowhere.git" &&
	a=$(code st-a bus-recv) &&
	l=$(code st-l bus-recv) &&
	echo "ssh $a, local $l" &&
	test "$a" = 69 && test "$l" = 75 &&
	git -C st-a config remote.origin.url "$(url)" &&
	git -C st-l config remote.origin.url "$TRASH_DIRECTORY/hub.git"
'

test_expect_success 'exit codes: the hub away, 75 over both, the work kept' '
	stop_sshd &&
	mv hub.git hub.away &&
	same 75 bus-send b "away" &&
	same 75 bus-recv &&
	same 75 bus-status &&
	same 75 bus-sync &&
	test "$(queued st-a)" = 1 &&
	test "$(queued st-l)" = 1
'

test_expect_success 'exit codes: the hub away, an agent not known here, the same over both' '
	a=$(code st-a bus-send nobody "hi") &&
	l=$(code st-l bus-send nobody "hi") &&
	echo "ssh $a, local $l" &&
	test "$a" = "$l"
'

# With the hub away, a send to an agent the station does not know
# cannot make the fetch that would tell: the hub could not be reached,
# 75 (it once said 70, an internal error), over both.
test_expect_success 'exit codes: the hub away, an agent not known here: 75' '
	same 75 bus-send nobody "hi"
'

test_expect_success 'exit codes: the hub back, the next command delivers' '
	mv hub.away hub.git &&
	start_sshd "$(cat "$S/port")" &&
	same 0 bus-recv &&
	test "$(queued st-a)" = 0 &&
	test "$(queued st-l)" = 0
'

# stranger: the tools log in with a key that sshd does not accept.
stranger () {
	mkdir -p "$S/stranger" &&
	sed "s|$S/client_key|$S/stranger_key|" "$S/bin/ssh" >"$S/stranger/ssh" &&
	chmod +x "$S/stranger/ssh" &&
	GIT_SSH_COMMAND="$S/stranger/ssh" &&
	export GIT_SSH_COMMAND
}

test_expect_success 'a key the server does not take: the tool fails, the station answers' '
	stranger &&
	{ (cd st-a && bus-recv -f id) >out 2>err-denied; echo $? >code; } &&
	grep "going on from the station" err-denied &&
	test "$(cat code)" != 0 &&
	grep -F "Failed publickey for $USER_NAME" "$S/sshd.log"
'

test_expect_success 'a key the server does not take: 69, Permission denied shown' '
	echo 69 >expect && test_cmp expect code &&
	grep "Permission denied (publickey)" err-denied
'

test_expect_success 'no such repository behind sshd: 69, from the first command' '
	git -C st-a config remote.origin.url "$(url nowhere.git)" &&
	{ (cd st-a && bus-send b "to nowhere") >out 2>err; echo $? >code; } &&
	git -C st-a config remote.origin.url "$(url)" &&
	cat err &&
	echo 69 >expect && test_cmp expect code &&
	grep "cannot push to origin: .*does not appear to be a git repository" err &&
	grep "once the hub takes it" err
'

test_expect_success 'bus-init: no such repository behind sshd is 69, and says why' '
	test_expect_code 69 bus-init -a z "$(url nowhere.git)" st-z 2>err &&
	grep "cannot clone .*nowhere.git: .*does not appear to be a git repository" err &&
	! test -e st-z
'

test_expect_success 'an unknown host key: 69 at once, never a prompt, and how to accept it' '
	: >"$S/empty_known_hosts" &&
	# the user'"'"'s ssh, as it is out of the box: it would ask
	sed "s|UserKnownHostsFile=[^ ]*|UserKnownHostsFile=$S/empty_known_hosts|; s|StrictHostKeyChecking=yes|StrictHostKeyChecking=ask|; s|-o BatchMode=yes ||" \
		"$S/bin/ssh" >"$S/unknown-host-ssh" &&
	chmod +x "$S/unknown-host-ssh" &&
	! grep BatchMode "$S/unknown-host-ssh" &&
	(GIT_SSH_COMMAND="$S/unknown-host-ssh" &&
	 cd st-a && test_expect_code 69 bus-recv </dev/null) >out 2>err &&
	tail -n 1 "$S/calls" | grep -e "-o BatchMode=yes" &&
	grep "Host key verification failed" err &&
	grep "accept it once with ssh" err
'

test_expect_success 'stop sshd' '
	stop_sshd
'

test_done
