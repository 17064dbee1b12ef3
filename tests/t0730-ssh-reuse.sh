#!/bin/sh
test_description='one ssh connection for many commands: a control master'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# Over ssh the tools give git's ssh a control master (ControlMaster=auto,
# a socket in a private directory, ControlPersist), unless the user set
# up sharing, or another ssh, or turned it off.  The hub is behind an
# sshd of the test's own (tests/lib-sshd.sh, as in t0710); connections
# are counted in its log ("Accepted publickey"), where a session through
# a master is no new login, and not by the ssh wrapper, which each
# command runs all the same.

S=$TRASH_DIRECTORY/ssh
HOME_DIR=$TRASH_DIRECTORY
. "$BUS_SRC_DIR/tests/lib-sshd.sh"
why=$(sshd_missing)
if [ -n "$why" ]; then
	test_skip 'ssh connection reuse' "$why"
	test_done
fi
unset BUS_SSH_REUSE GIT_SSH GIT_SSH_VARIANT
# ssh -G reads ~/.ssh/config of the user's passwd entry, not of $HOME:
# -F keeps the machine's own configuration out, as the wrapper does
GIT_SSH_COMMAND="$S/bin/ssh -F /dev/null"
# the sockets in the trash directory, never in the machine's /tmp
XDG_RUNTIME_DIR=$TRASH_DIRECTORY
export GIT_SSH_COMMAND XDG_RUNTIME_DIR
CTL=$TRASH_DIRECTORY/git-bus

# masters: the pids of this script's ssh control masters, whose title
# names their socket in the trash directory (also once it is removed).
masters () {
	ps -eo pid=,args= |
	awk -v p="ssh: $CTL/" 'index($0, p) && / \[mux\]$/ { print $1 }'
}

# stop_masters: ask each master to exit through its socket, then end
# by pid any that did not, and wait until all are gone.
stop_masters () {
	for _s in "$CTL"/*; do
		[ -S "$_s" ] && "$SSH" -O exit -S "$_s" x 2>/dev/null
	done
	_n=0
	while [ -n "$(masters)" ] && [ $_n -lt 50 ]; do
		[ $_n -eq 20 ] && kill $(masters) 2>/dev/null
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -z "$(masters)" ]
}

# No master and no sshd outlives the script, whatever happens.
trap 'stop_masters; stop_sshd' EXIT
trap 'exit 1' INT TERM HUP

url () {
	ssh_url "$TRASH_DIRECTORY/${1:-hub.git}"
}

# logins: how many ssh connections sshd accepted so far.
logins () {
	grep -c "Accepted publickey" "$S/sshd.log"
}

# calls: how many times the tools ran ssh so far.
calls () {
	if test -f "$S/calls"; then wc -l <"$S/calls"; else echo 0; fi
}

# sockets: the sockets in the control directory.
sockets () {
	find "$CTL" -type s 2>/dev/null
}

test_expect_success 'set up: an sshd, a hub, two stations over ssh' '
	sshd_setup &&
	bus-init --hub hub.git &&
	bus-init -a a "$(url)" st-a >/dev/null &&
	bus-init -a b "$(url)" st-b >/dev/null &&
	(cd st-b && bus-send a "for a to read") >id
'

# A socket's path is at most 107 bytes, and ssh binds a name 17 longer
# first: the socket's 16 characters leave 73 for the directory.
if [ ${#CTL} -gt 73 ]; then
	test_skip 'ssh connection reuse' "$CTL is too long for a socket"
	# test_done removes the trash directory, the pid file with it:
	# the EXIT trap would find no sshd to stop
	stop_masters
	stop_sshd
	test_done
fi

test_expect_success 'the control directory: private, in the trash directory' '
	test -d "$CTL" &&
	test "$(stat -c %a "$CTL")" = 700 &&
	test "$(stat -c %u "$CTL")" = "$(id -u)"
'

test_expect_success 'recv, ack, send and status from one station: one login' '
	stop_masters &&
	before=$(logins) &&
	calls0=$(calls) &&
	(cd st-a && bus-recv -f id) >got &&
	test_cmp id got &&
	id=$(cat id) &&
	(cd st-a && bus-ack "$id") &&
	(cd st-a && bus-send b "a reply") >id2 &&
	id=$(cat id2) &&
	(cd st-a && bus-status "$id") >status &&
	grep "\"state\":\"delivered\"" status &&
	hub_files archive-a | grep -F "/$(cat id).json" &&
	echo 1 >expect &&
	echo $(($(logins) - before)) >n &&
	test_cmp expect n &&
	test $(($(calls) - calls0)) -ge 4 &&
	test "$(sockets | wc -l)" = 1 &&
	test -n "$(masters)"
'

# git runs GIT_SSH_COMMAND with its own options and the host after it:
# ours must come first, so a wrapper passing "$@" on still works.
test_expect_success 'the options come before the host, in the wrapper' '
	tail -n 1 "$S/calls" >last &&
	grep "^-F /dev/null -o BatchMode=yes -o ControlMaster=auto -o ControlPersist=60 -o ControlPath=$CTL/[0-9a-f]\{16\} " last &&
	grep " $USER_NAME@127.0.0.1 " last
'

test_expect_success 'the next command reuses the master: no login at all' '
	before=$(logins) &&
	(cd st-b && bus-recv -f id) >got &&
	test_cmp id2 got &&
	test "$(logins)" = "$before"
'

# The master is started by the ssh of a fetch or push: git holds the
# station's lock (an inherited descriptor) and git's stderr is a pipe
# the tool reads to its end.  The master must keep neither, or the next
# command would wait for the lock, and this one for ControlPersist.
test_expect_success 'the master holds neither the lock nor the tool waiting' '
	stop_masters &&
	start=$(date +%s) &&
	(cd st-a && bus-recv -f id) >out 2>err &&
	test $(($(date +%s) - start)) -lt 30 &&
	pid=$(masters) &&
	test -n "$pid" &&
	if test -d /proc/$pid/fd; then
		ls -l /proc/$pid/fd >fds &&
		! grep -e bus.lock -e pipe: fds
	fi &&
	if command -v flock >/dev/null; then
		flock -n st-a/.git/bus.lock true
	fi &&
	git -C st-a config bus.lockTimeout 5 &&
	(cd st-a && bus-send b "right after") >id3 &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id3).json"
'

test_expect_success 'bus.sshReuse false: a login per command, no socket' '
	stop_masters &&
	rm -f "$CTL"/* &&
	git -C st-a config bus.sshReuse false &&
	before=$(logins) &&
	calls0=$(calls) &&
	(cd st-a && bus-recv -v -f id) >out 2>err &&
	grep "no ssh connection reuse: bus.sshReuse is false" err &&
	(cd st-a && bus-send b "one more") >id4 &&
	id=$(cat id4) &&
	(cd st-a && bus-status "$id") >status &&
	test $(($(logins) - before)) -eq 3 &&
	test $(($(calls) - calls0)) -eq 3 &&
	! tail -n 3 "$S/calls" | grep Control &&
	test -z "$(sockets)" &&
	test -z "$(masters)" &&
	git -C st-a config --unset bus.sshReuse
'

test_expect_success 'BUS_SSH_REUSE=0: the same' '
	before=$(logins) &&
	(cd st-a && BUS_SSH_REUSE=0 bus-recv -v -f id) >out 2>err &&
	grep "no ssh connection reuse: BUS_SSH_REUSE is false" err &&
	(cd st-a && BUS_SSH_REUSE=0 bus-recv -f id) >out &&
	test $(($(logins) - before)) -eq 2 &&
	! tail -n 2 "$S/calls" | grep Control &&
	test -z "$(masters)"
'

# left_alone WHY CMD...: CMD, run in st-a with -v, gets no options of
# ours, and says WHY.  (The user's own ControlPath in these tests ends in
# %p, not %C: a socket path is at most 107 bytes, and the trash directory
# of make distcheck is long.)
left_alone () {
	_why=$1 &&
	shift &&
	stop_masters &&
	_calls=$(calls) &&
	(cd "$TRASH_DIRECTORY/st-a" && "$@" -v -f id) \
		>"$TRASH_DIRECTORY/out" 2>"$TRASH_DIRECTORY/err" &&
	cat "$TRASH_DIRECTORY/err" &&
	grep "^# no ssh connection reuse: .*$_why" "$TRASH_DIRECTORY/err" &&
	! grep "ssh for the hub: .*ControlMaster" "$TRASH_DIRECTORY/err" &&
	if test "$(calls)" != "$_calls"; then
		! tail -n 1 "$S/calls" | grep ControlPersist=60
	fi &&
	test -z "$(sockets)" &&
	test -z "$(masters)"
}

test_expect_success 'the user s own ControlPath in their command: untouched' '
	mkdir -p -m 700 mine &&
	(GIT_SSH_COMMAND="$S/bin/ssh -o ControlPath=$TRASH_DIRECTORY/mine/%p -F /dev/null" &&
	 left_alone "the ssh command has control options" bus-recv) &&
	tail -n 1 "$S/calls" | grep "^-o ControlPath=$TRASH_DIRECTORY/mine/%p "
'

test_expect_success 'the same in core.sshCommand: untouched' '
	git -C st-a config core.sshCommand \
		"$S/bin/ssh -S $TRASH_DIRECTORY/mine/%p -F /dev/null" &&
	(unset GIT_SSH_COMMAND &&
	 left_alone "the ssh command has -S" bus-recv) &&
	tail -n 1 "$S/calls" | grep "^-S $TRASH_DIRECTORY/mine/%p " &&
	git -C st-a config --unset core.sshCommand
'

test_expect_success 'core.sshCommand of a wrapper: the options appended' '
	git -C st-a config core.sshCommand "$S/bin/ssh -F /dev/null" &&
	(unset GIT_SSH_COMMAND && cd st-a && bus-recv -v -f id) >out 2>err &&
	grep -F "ssh for the hub: GIT_SSH_COMMAND=$S/bin/ssh -F /dev/null -o BatchMode=yes -o ControlMaster=auto" err &&
	tail -n 1 "$S/calls" | grep "^-F /dev/null -o BatchMode=yes -o ControlMaster=auto " &&
	git -C st-a config --unset core.sshCommand &&
	stop_masters && rm -f "$CTL"/*
'

test_expect_success 'GIT_SSH set: untouched' '
	(unset GIT_SSH_COMMAND && GIT_SSH="$S/bin/ssh" &&
	 export GIT_SSH && left_alone "GIT_SSH is set" bus-recv) &&
	tail -n 1 "$S/calls" | grep " $USER_NAME@127.0.0.1 "
'

test_expect_success 'an ssh variant that is not OpenSSH: untouched' '
	git -C st-a config ssh.variant simple &&
	left_alone "the ssh variant is simple" bus-recv -n &&
	git -C st-a config --unset ssh.variant &&
	(GIT_SSH_VARIANT=plink && export GIT_SSH_VARIANT &&
	 left_alone "the ssh variant is plink" bus-recv -n)
'

test_expect_success '-v in the user s command: untouched (stderr)' '
	(GIT_SSH_COMMAND="$S/bin/ssh -F /dev/null -v" &&
	 left_alone "the ssh command has -v" bus-recv -n)
'

# The configuration file named with -F, as ssh reads it; the user's
# ~/.ssh/config is read the same way when there is none.
test_expect_success 'the user s ssh configuration shares connections: untouched' '
	printf "Host 127.0.0.1\n\tControlPath $TRASH_DIRECTORY/mine/%%p\n" >config &&
	(GIT_SSH_COMMAND="$S/bin/ssh -F $TRASH_DIRECTORY/config" &&
	 left_alone "the ssh configuration for $USER_NAME@127.0.0.1 shares connections already" \
		bus-recv) &&
	grep "^+ ssh -G -F $TRASH_DIRECTORY/config -p $(cat "$S/port") $USER_NAME@127.0.0.1$" err &&
	printf "Host 127.0.0.1\n\tControlMaster autoask\n" >config &&
	(GIT_SSH_COMMAND="$S/bin/ssh -F$TRASH_DIRECTORY/config" &&
	 left_alone "shares connections already" bus-recv -n) &&
	printf "Host elsewhere\n\tControlMaster auto\n" >config &&
	(GIT_SSH_COMMAND="$S/bin/ssh -F $TRASH_DIRECTORY/config" &&
	 cd st-a && bus-recv -n -v) 2>err &&
	grep "ssh for the hub: GIT_SSH_COMMAND=.*ControlMaster" err
'

test_expect_success 'a control directory not private: refused' '
	chmod 755 "$CTL" &&
	left_alone "$CTL: not a directory of ours with mode 700" bus-recv &&
	chmod 700 "$CTL" &&
	mv "$CTL" ctl.away && mkdir -m 700 elsewhere && ln -s elsewhere "$CTL" &&
	left_alone "$CTL: not a directory of ours with mode 700" bus-recv -n &&
	rm "$CTL" && mv ctl.away "$CTL"
'

test_expect_success 'a control directory too long for a socket: refused' '
	long=$TRASH_DIRECTORY/$(printf "%080d" 0) &&
	mkdir -p "$long" &&
	(XDG_RUNTIME_DIR=$long && left_alone "too long for a socket" bus-recv -n) &&
	! test -e "$long/git-bus"
'

test_expect_success 'a hub on a local path: no ssh at all' '
	bus-init -a l hub.git st-l >/dev/null &&
	(cd st-l && bus-recv -v -f id) >out 2>err &&
	grep "^+ git .* fetch " err &&
	! grep -e "^+ ssh" -e "ssh connection reuse" -e "ssh for the hub" err
'

# ssh_of URL: the ssh -G line that st-a with remote URL at URL traces,
# or nothing when that URL is not reached over ssh.
ssh_of () {
	git -C "$TRASH_DIRECTORY/st-a" config remote.origin.url "$1" &&
	(cd "$TRASH_DIRECTORY/st-a" && bus-recv -n -v -f id) 2>&1 >/dev/null |
	sed -n "s/^+ ssh -G //p; s/^# no ssh connection reuse: //p"
}

test_expect_success 'which URLs are ssh, and where they go' '
	{
		ssh_of "git@example.com:bus.git" &&
		ssh_of "ssh://u@example.com:2222/srv/bus.git" &&
		ssh_of "git+ssh://example.com/srv/bus.git" &&
		ssh_of "ssh://u@[::1]:2222/bus.git" &&
		ssh_of "https://example.com/bus.git" &&
		ssh_of "git://example.com/bus.git" &&
		ssh_of "file://$TRASH_DIRECTORY/hub.git" &&
		ssh_of "ext::ssh -p 22 example.com %S bus.git" &&
		ssh_of "./a:b/hub.git" &&
		ssh_of "ssh://-oProxyCommand=x/bus.git"
	} >got &&
	cat >expect <<-\EOF &&
	-F /dev/null git@example.com
	-F /dev/null -p 2222 u@example.com
	-F /dev/null example.com
	-F /dev/null -p 2222 u@::1
	ssh://-oProxyCommand=x/bus.git: an ssh address not read here
	EOF
	test_cmp expect got &&
	git -C st-a config remote.origin.url "$(url)"
'

test_expect_success 'url.insteadOf is followed; two ssh hosts are left alone' '
	base=$(ssh_url "$TRASH_DIRECTORY/") &&
	git -C st-a config "url.$base.insteadOf" "bushub:" &&
	ssh_of "bushub:hub.git" >got &&
	grep "^-F /dev/null -p $(cat "$S/port") $USER_NAME@127.0.0.1$" got &&
	git -C st-a config --remove-section "url.$base" &&
	git -C st-a config remote.origin.pushurl "ssh://elsewhere.example/bus.git" &&
	ssh_of "$(url)" >got &&
	grep "the URLs of origin reach more than one ssh host" got &&
	git -C st-a config --unset remote.origin.pushurl &&
	git -C st-a config remote.origin.url "$(url)"
'

test_expect_success 'stop the masters, then sshd: nothing left running' '
	(cd st-a && bus-recv -f id) >out &&
	test -n "$(masters)" &&
	for s in $(sockets); do
		"$SSH" -O exit -S "$s" x || exit 1
	done &&
	stop_masters &&
	test -z "$(masters)" &&
	stop_sshd
'

test_done
