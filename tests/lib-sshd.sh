# lib-sshd.sh: an OpenSSH server of one's own on 127.0.0.1, for the
# tests and the benchmarks that reach a hub over ssh.  Sourced with
# S set to an empty state directory and HOME_DIR to the directory the
# server's sessions take as HOME (the tests' trash directory).
#
# Everything lives in $S but the privilege-separation directory
# /run/sshd, which sshd needs when run as root: a throwaway host key,
# a client key (and a stranger's, that the server does not know), the
# server's configuration, its log ($S/sshd.log) and pid file, and
# $S/bin/ssh: the ssh the tools run through GIT_SSH_COMMAND.  It is
# named ssh (so git knows its options without probing it with -G),
# writes a line to $S/calls for each connection and runs the real ssh
# hermetically: no user config, this key only, the host key known
# beforehand, never a prompt.
#
#	sshd_missing		why sshd cannot run here, or nothing
#	sshd_setup		keys, config and wrapper; start on a free
#				port ($S/port); 1 if it will not start
#	start_sshd PORT		(re)start on PORT until it listens
#	stop_sshd		stop by the pid file, wait until gone
#	stop_pidfile FILE NAME	the same for any server (t0720's too)
#	ssh_url PATH		ssh://USER@127.0.0.1:PORT/PATH (absolute)

SSHD=/usr/sbin/sshd
SSH=$(command -v ssh)
USER_NAME=$(id -un)
unset SSH_AUTH_SOCK SSH_AGENT_PID

sshd_missing () {
	for _p in "$SSHD" ssh ssh-keygen; do
		command -v "$_p" >/dev/null 2>&1 || { echo "no $_p"; return; }
	done
	# sshd run as root wants its privilege-separation directory
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p /run/sshd 2>/dev/null
	fi
	[ -d /run/sshd ] || echo "no /run/sshd for sshd"
}

# start_sshd PORT: run sshd on 127.0.0.1:PORT in the background until
# it listens (0) or gives up (1, the port taken, say).
start_sshd () {
	rm -f "$S/sshd.pid"
	"$SSHD" -D -e -f "$S/sshd_config" -p "$1" 2>"$S/sshd.log" </dev/null &
	_pid=$!
	_n=0
	while ! grep -q "Server listening on 127.0.0.1 port $1" "$S/sshd.log"
	do
		if ! kill -0 $_pid 2>/dev/null || [ $_n -ge 200 ]; then
			kill $_pid 2>/dev/null
			cat "$S/sshd.log" >>"$S/sshd.failed"
			return 1
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	# the pid file is written just after the listen
	_n=0
	while ! [ -s "$S/sshd.pid" ] && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	test -s "$S/sshd.pid"
}

# started PID: when the process PID started, in clock ticks since boot
# (field 22 of /proc/PID/stat; the name before it may hold spaces).
started () {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d" " -f20
}

# gone PID [START]: the process PID has ended (a zombie not reaped yet
# counts), or, with START (from started), the pid now names another
# process: with pid_max at 32768 a busy test run reuses pids in seconds.
gone () {
	! kill -0 "$1" 2>/dev/null ||
	grep -q "^State:[[:space:]]*[ZX]" "/proc/$1/status" 2>/dev/null ||
	{ [ -n "${2-}" ] && [ "$(started "$1")" != "$2" ]; }
}

# stop_pidfile FILE NAME: stop the server (NAME) whose pid FILE holds,
# and wait until it is gone: TERM, then KILL after 10 seconds (lighttpd
# waits for its CGI children, and a loaded machine is slow), giving up
# after 30 seconds by the clock, not by a count of sleeps.  For any
# server of a test's own: t0720's lighttpd uses it too.
stop_pidfile () {
	test -s "$1" || return 0
	_pid=$(cat "$1") &&
	_born=$(started "$_pid") &&
	kill "$_pid" 2>/dev/null
	_start=$(date +%s)
	_killed=
	while ! gone "$_pid" "$_born"; do
		_t=$(($(date +%s) - _start))
		if [ $_t -ge 10 ] && [ -z "$_killed" ]; then
			kill -9 "$_pid" 2>/dev/null
			_killed=1
		fi
		[ $_t -ge 30 ] && break
		sleep 0.1
	done
	rm -f "$1"
	gone "$_pid" "$_born" || { echo "$2 $_pid would not stop" >&2; false; }
}

# stop_sshd: stop the sshd by its pid file, and wait until it is gone.
stop_sshd () {
	stop_pidfile "$S/sshd.pid" sshd
}

ssh_url () {
	echo "ssh://$USER_NAME@127.0.0.1:$(cat "$S/port")$1"
}

sshd_setup () {
	mkdir -p "$S/bin" &&
	cat >"$S/bin/ssh" <<-EOS &&
	#!/bin/sh
	echo "\$*" >>"$S/calls"
	exec "$SSH" -F /dev/null -i "$S/client_key" -o IdentitiesOnly=yes \\
		-o UserKnownHostsFile="$S/known_hosts" \\
		-o StrictHostKeyChecking=yes \\
		-o BatchMode=yes -o ConnectTimeout=20 "\$@"
	EOS
	chmod +x "$S/bin/ssh" &&
	ssh-keygen -q -t ed25519 -N "" -C host -f "$S/host_key" &&
	ssh-keygen -q -t ed25519 -N "" -C client -f "$S/client_key" &&
	ssh-keygen -q -t ed25519 -N "" -C stranger -f "$S/stranger_key" &&
	cp "$S/client_key.pub" "$S/authorized_keys" &&
	cat >"$S/sshd_config" <<-EOF &&
	ListenAddress 127.0.0.1
	HostKey $S/host_key
	PidFile $S/sshd.pid
	AuthorizedKeysFile $S/authorized_keys
	StrictModes no
	UsePAM no
	PermitRootLogin prohibit-password
	AllowUsers $USER_NAME
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	AllowTcpForwarding no
	X11Forwarding no
	PrintMotd no
	PrintLastLog no
	LogLevel VERBOSE
	SetEnv HOME=$HOME_DIR GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
	EOF
	# newer sshd penalise a source after failed logins: not here
	if "$SSHD" -t -f "$S/sshd_config" -o PerSourcePenalties=no 2>/dev/null
	then
		echo "PerSourcePenalties no" >>"$S/sshd_config"
	fi &&
	"$SSHD" -t -f "$S/sshd_config" &&
	_port=$((20000 + $$ % 20000)) &&
	_tries=0 &&
	until start_sshd $_port; do
		_tries=$((_tries + 1)) &&
		test $_tries -lt 20 || return 1
		_port=$((20000 + (_port + 997) % 40000))
	done &&
	echo $_port >"$S/port" &&
	printf "[127.0.0.1]:%s " $_port >"$S/known_hosts" &&
	cat "$S/host_key.pub" >>"$S/known_hosts"
}
