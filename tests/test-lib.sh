# test-lib.sh: the shell test harness, in the manner of git's t/test-lib.sh.
#
# A test script sets test_description, sources this file, runs
# test_expect_success 'title' 'commands' for each check and ends with
# test_done.  Each script works in its own trash directory with a
# hermetic environment, and prints TAP.

: "${BUS_BUILD_DIR:?run the tests with make check}"
: "${BUS_SRC_DIR:?run the tests with make check}"

# A hermetic environment: nothing of the user's git set-up, locale or
# time zone leaks in, and commits get fixed names and dates.
for v in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
unset BUS_DIR BUS_AGENT BUS_GIT BUS_SSH_REUSE
LC_ALL=C
TZ=UTC
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL='author@example.com'
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL='committer@example.com'
GIT_AUTHOR_DATE='1764288000 +0000'
GIT_COMMITTER_DATE='1764288000 +0000'
PATH="$BUS_BUILD_DIR/bin:$BUS_BUILD_DIR/tests/helper:$PATH"
export LC_ALL TZ GIT_CONFIG_NOSYSTEM PATH GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE \
	GIT_COMMITTER_DATE

test_name=${BUS_TEST_NAME:-$(basename "$0" .sh)}
TRASH_DIRECTORY="$BUS_BUILD_DIR/tests/trash.$test_name"
rm -rf "$TRASH_DIRECTORY"
mkdir -p "$TRASH_DIRECTORY" || exit 1
HOME="$TRASH_DIRECTORY"
# ssh control sockets (bus(7)) in the trash directory, not the machine's
XDG_RUNTIME_DIR="$TRASH_DIRECTORY"
export HOME TRASH_DIRECTORY XDG_RUNTIME_DIR
cd "$TRASH_DIRECTORY" || exit 1
git config --global init.defaultBranch main
git config --global user.name 'A U Thor'
git config --global user.email 'author@example.com'

test_count=0
test_failures=0

# test_expect_success TITLE COMMANDS: run COMMANDS in a subshell in the
# trash directory; the test passes when they exit 0.
test_expect_success () {
	test_count=$((test_count + 1))
	if (cd "$TRASH_DIRECTORY" && eval "$2") >"$TRASH_DIRECTORY/.log" 2>&1
	then
		echo "ok $test_count - $1"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH_DIRECTORY/.log"
		printf '#   in:%s\n' "$(echo "$2" | sed 's/^/#   /')"
	fi
}

# test_skip TITLE REASON: report a test that cannot run here.
test_skip () {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# test_cmp EXPECTED ACTUAL: the files are equal, or show how not.
test_cmp () {
	diff -u "$1" "$2"
}

# test_must_fail CMD...: CMD fails by exiting, not by dying of a signal.
test_must_fail () {
	"$@"
	_st=$?
	if [ $_st -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif [ $_st -gt 128 ] && [ $_st -le 192 ]; then
		echo "test_must_fail: command died of a signal: $*" >&2
		return 1
	fi
	return 0
}

# test_expect_code CODE CMD...: CMD exits with CODE.
test_expect_code () {
	_want=$1
	shift
	"$@"
	_st=$?
	if [ $_st -ne "$_want" ]; then
		echo "test_expect_code: got $_st, want $_want: $*" >&2
		return 1
	fi
	return 0
}

# test_must_be_empty FILE
test_must_be_empty () {
	if [ -s "$1" ]; then
		echo "'$1' is not empty:" >&2
		cat "$1" >&2
		return 1
	fi
}

test_done () {
	echo "1..$test_count"
	if [ $test_failures -eq 0 ]; then
		cd "$BUS_BUILD_DIR" && rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	exit 1
}

# kill_soon CMD...: start CMD, SIGKILL it after a random 0-60 ms.  CMD
# must be the tool, or a shell that execs it: a pipeline or an and-list
# in the background is a shell, and killing that leaves the tool alive.
kill_soon () {
	"$@" &
	_pid=$!
	_ms=$(awk -v s="$(od -An -N2 -tu2 /dev/urandom)" "BEGIN { print (s % 60) / 1000 }")
	sleep "$_ms"
	kill -9 $_pid 2>/dev/null
	wait $_pid 2>/dev/null
	return 0
}

# hub_direct HUB: the hub in direct mode, as a hub that runs no
# post-receive hook: no sequencer, no mode ref (stations push the branch).
hub_direct () {
	bus-init --hub --direct "$1"
}

# hub_queued: hub.git is in queue mode (sequence.c).
hub_queued () {
	git -C "$TRASH_DIRECTORY/hub.git" rev-parse -q --verify \
		refs/bus/mode/queue >/dev/null
}

# setup_bus AGENT...: a hub (hub.git) and a station per agent (st-AGENT);
# the hub in direct mode when BUS_TEST_MODE is "direct".
setup_bus () {
	bus-init --hub hub.git &&
	if [ "$BUS_TEST_MODE" = direct ]; then
		hub_direct hub.git || return 1
	fi &&
	for _a in "$@"; do
		bus-init -a "$_a" hub.git "st-$_a" >/dev/null || return 1
	done &&
	for _a in "$@"; do
		bus-recv -C "st-$_a" -f id >/dev/null || return 1
	done
}

# hub_files [DIR]: the paths on the hub's main branch (below DIR).
hub_files () {
	git -C "$TRASH_DIRECTORY/hub.git" ls-tree -r --name-only main -- ${1:+"$1"}
}

# hub_tip: the hub's main branch.
hub_tip () {
	git -C "$TRASH_DIRECTORY/hub.git" rev-parse main
}

# without_hub_hook CMD...: run CMD with the hub's pre-receive hook set
# aside, as on a hub that runs no hooks (to plant bad data on purpose).
without_hub_hook () {
	mv "$TRASH_DIRECTORY/hub.git/hooks/pre-receive" \
		"$TRASH_DIRECTORY/hub.git/hooks/pre-receive.off" &&
	"$@"
	_st=$?
	mv "$TRASH_DIRECTORY/hub.git/hooks/pre-receive.off" \
		"$TRASH_DIRECTORY/hub.git/hooks/pre-receive"
	return $_st
}

# refused EXPECTED: pushing ./raw is refused, the hub is unchanged, and
# the refusal (in ./err) says EXPECTED.
refused () {
	_before=$(hub_tip) &&
	test_must_fail git -C "$TRASH_DIRECTORY/raw" push -q origin HEAD:main \
		2>"$TRASH_DIRECTORY/err" &&
	test "$(hub_tip)" = "$_before" &&
	grep -F -e "$1" "$TRASH_DIRECTORY/err"
}

# accepted: pushing ./raw is accepted and moves the hub to it.
accepted () {
	git -C "$TRASH_DIRECTORY/raw" push -q origin HEAD:main \
		2>"$TRASH_DIRECTORY/err" &&
	test "$(hub_tip)" = "$(git -C "$TRASH_DIRECTORY/raw" rev-parse HEAD)"
}

# Signed mode (ssh signatures, bus.requireSigned), for the tests of it.

# skip_all_without PROGRAM TITLE: a script that cannot run without
# PROGRAM reports TITLE as skipped and ends here.
skip_all_without () {
	if ! command -v "$1" >/dev/null 2>&1; then
		test_skip "$2" "$1 is not installed"
		test_done
	fi
}

# make_keys NAME...: an ed25519 key pair keys/NAME and keys/NAME.pub
# each, with NAME as its comment.
make_keys () {
	mkdir -p keys &&
	for _k in "$@"; do
		ssh-keygen -q -t ed25519 -N "" -C "$_k" -f "keys/$_k" || return 1
	done
}

# signed_hub HUB AGENT...: .bus/allowed_signers on HUB lists the key
# keys/AGENT.pub of each AGENT, and HUB then requires signed commits.
signed_hub () {
	_hub=$1
	shift
	rm -rf raw && git clone -q "$_hub" raw && mkdir -p raw/.bus &&
	for _a in "$@"; do
		printf "%s " "$_a" && cat "keys/$_a.pub" || return 1
	done >raw/.bus/allowed_signers &&
	git -C raw add .bus && git -C raw commit -q -m "signers" &&
	git -C raw push -q origin HEAD:main &&
	git -C "$_hub" config bus.requireSigned true
}

# signed_clone KEY: a plain clone "raw" of hub.git whose commits are
# signed by keys/KEY (a private key, or a certificate next to one).
signed_clone () {
	rm -rf raw && git clone -q "$TRASH_DIRECTORY/hub.git" raw &&
	git -C raw config gpg.format ssh &&
	git -C raw config user.signingKey "$TRASH_DIRECTORY/keys/$1"
}

# commit_signed MSG: commit everything in raw, signed, past its hooks.
commit_signed () {
	git -C raw add -A && git -C raw commit -q -S --no-verify -m "$1"
}
