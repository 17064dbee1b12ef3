#!/bin/sh
test_description='SIGKILL at any moment loses nothing and leaves nothing half done'
. "$BUS_SRC_DIR/tests/test-lib.sh"

ROUNDS=${BUS_CRASH_ROUNDS:-40}

test_expect_success 'set up a hub and two stations' '
	setup_bus a b >/dev/null
'

# kill_soon CMD...: start CMD, SIGKILL it after a random 0-60 ms.
kill_soon () {
	"$@" &
	_pid=$!
	_ms=$(awk -v s="$(od -An -N2 -tu2 /dev/urandom)" "BEGIN { print (s % 60) / 1000 }")
	sleep "$_ms"
	kill -9 $_pid 2>/dev/null
	wait $_pid 2>/dev/null
	return 0
}

test_expect_success "bus-send and bus-ack killed at random, $ROUNDS rounds" '
	i=0 &&
	while [ $i -lt $ROUNDS ]; do
		kill_soon sh -c "cd st-a && exec bus-send b \"round $i\"" >>printed &&
		kill_soon sh -c "cd st-b && bus-recv -n -f id | bus-ack -n -" &&
		i=$((i + 1))
	done
'

test_expect_success 'the stations are consistent: fsck, status, no journal left' '
	for s in a b; do
		{ git -C st-$s fsck --no-progress 2>&1 | grep -v "^dangling" || true; } >fsck &&
		test_must_be_empty fsck || exit 1
	done
'

test_expect_success 'the lock is free: the next commands run at once' '
	git -C st-a config bus.lockTimeout 2 &&
	git -C st-b config bus.lockTimeout 2 &&
	(cd st-a && bus-recv -f id >/dev/null) &&
	(cd st-b && bus-recv -f id >/dev/null) &&
	! test -f st-a/.git/bus-checkout &&
	! test -f st-b/.git/bus-checkout &&
	for s in a b; do
		git -C st-$s status --porcelain >status &&
		test_must_be_empty status || exit 1
	done
'

test_expect_success 'every id that was printed got delivered, whole' '
	(cd st-b && bus-recv -f id | bus-ack -) &&
	hub_files >files &&
	for id in $(cat printed); do
		grep -q "/$id.json$" files || { echo "lost: $id"; exit 1; }
	done
'

test_expect_success 'no partial message anywhere: every file on the hub is valid' '
	git clone -q hub.git check &&
	(cd check && git ls-files -z -- "inbox-*" "archive-*" | bus-check -z -)
'

test_done
