#!/bin/sh
test_description='bus-sync: the scheduled job'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'set up a hub and two stations' '
	setup_bus a b >/dev/null
'

test_expect_success 'nothing to do: says so, changes nothing' '
	before=$(hub_tip) &&
	bus-sync -C st-a >out &&
	echo "fetched 0 commits, pushed 0, profile none" >expect &&
	test_cmp expect out &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'fetches what others pushed, and pushes what is queued' '
	(cd st-b && bus-send a one && bus-send a two) >/dev/null &&
	(cd st-a && bus-send --no-push b queued) >id &&
	bus-sync -C st-a >out &&
	echo "fetched 2 commits, pushed 1, profile none" >expect &&
	test_cmp expect out &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	git -C st-a status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'with bus.profile it merges the shared profile' '
	printf "# User\n- likes tea\n" >a.md &&
	git -C st-a config bus.profile "$TRASH_DIRECTORY/a.md" &&
	bus-sync -C st-a >out &&
	grep "profile updated" out &&
	git -C hub.git show main:user-sync/USER.md >hub.md &&
	test_cmp a.md hub.md &&
	bus-sync -C st-a >out &&
	grep "profile unchanged" out
'

test_expect_success 'with bus.heartbeat it beats once per interval, on the hub' '
	git -C st-a config bus.heartbeat 3600 &&
	before=$(hub_tip) &&
	bus-sync -C st-a >out &&
	grep "heartbeat sent" out &&
	test "$(hub_tip)" = "$before" &&
	git -C hub.git rev-parse refs/bus/presence/a >beat &&
	# presence, not mail: no message at all
	(cd st-b && bus-recv --type heartbeat -f id) >ids &&
	test_must_be_empty ids &&
	bus-sync -C st-a >out &&
	! grep "heartbeat sent" out &&
	git -C hub.git rev-parse refs/bus/presence/a >again &&
	test_cmp beat again &&
	git -C st-a config bus.heartbeat soon &&
	test_expect_code 64 bus-sync -C st-a 2>err &&
	grep "bus.heartbeat" err &&
	git -C st-a config --unset bus.heartbeat
'

# An older station still sends a heartbeat message to every other
# agent, as bus-send -t heartbeat does.
test_expect_success 'heartbeat messages received are moved to the archive' '
	(cd st-a && bus-send -t heartbeat b "") >ids &&
	(cd st-b && bus-send a "a note stays") >/dev/null &&
	bus-sync -C st-b >out &&
	grep ", 1 heartbeat read\$" out &&
	(cd st-b && bus-recv -n --type heartbeat -f id) >left &&
	test_must_be_empty left &&
	git -C hub.git ls-tree -r --name-only main archive-b/ >archived &&
	grep "/$(cat ids).json\$" archived &&
	bus-recv -C st-a -n --type note -f id >notes &&
	test -s notes &&
	bus-sync -C st-b >out &&
	! grep "heartbeat" out
'

test_expect_success 'an unreachable hub: 75, the queue kept' '
	(cd st-a && bus-send --no-push b later) >id &&
	mv hub.git hub.away &&
	test_expect_code 75 bus-sync -C st-a >out 2>err &&
	mv hub.away hub.git &&
	bus-sync -C st-a >out &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json"
'

test_expect_success 'runs alongside sends in the same station, losing nothing' '
	(i=0; while [ $i -lt 10 ]; do bus-sync -q -C st-a || exit 1;
		i=$((i + 1)); done) &
	(cd st-a && i=0 && while [ $i -lt 10 ]; do bus-send b "n $i" || exit 1;
		i=$((i + 1)); done) >ids &&
	wait &&
	bus-sync -q -C st-a &&
	for id in $(cat ids); do
		git -C hub.git cat-file -e "main:inbox-b/$id.json" || exit 1
	done
'

test_expect_success 'usage' '
	test_expect_code 64 bus-sync extra &&
	bus-sync -h | grep "^usage: bus-sync"
'

test_done
