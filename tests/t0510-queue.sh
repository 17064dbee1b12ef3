#!/bin/sh
test_description='queue mode: refs/bus/queue/<agent> checked by the hub, folded into the branch by its sequencer'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# queue_push STATION [AGENT]: push the station's HEAD to AGENT's queue
# (its own by default), as plain git.
queue_push () {
	git -C "st-$1" push -q origin "HEAD:refs/bus/queue/${2:-$1}"
}

test_expect_success 'bus-init --hub installs post-receive and the mode ref' '
	setup_bus a b c >/dev/null &&
	test -x hub.git/hooks/post-receive &&
	git ls-remote "$TRASH_DIRECTORY/hub.git" refs/bus/mode/queue >mode &&
	test $(wc -l <mode) = 1 &&
	grep -q "refs/bus/mode/queue$" mode
'

test_expect_success 'a queue on the tip itself: the branch fast-forwards to it' '
	before=$(hub_tip) &&
	id=$(cd st-a && bus-send --no-push b "through the queue") &&
	queue_push a &&
	hub_files inbox-b >files &&
	grep -q "^inbox-b/$id.json$" files &&
	test "$(hub_tip)" = "$(git -C st-a rev-parse HEAD)" &&
	test "$(git -C hub.git rev-parse main^)" = "$before" &&
	test "$(git -C hub.git rev-parse refs/bus/queue/a)" = "$(hub_tip)"
'

test_expect_success 'a queue on an older tip lands as a merge of the queue' '
	before=$(hub_tip) &&
	id=$(cd st-c && bus-send --no-push b "from behind") &&
	queue_push c &&
	hub_files inbox-b >files &&
	grep -q "^inbox-b/$id.json$" files &&
	test "$(git -C hub.git rev-parse main^1)" = "$before" &&
	test "$(git -C hub.git rev-parse main^2)" = "$(git -C st-c rev-parse HEAD)" &&
	git -C hub.git log -1 --format=%s main >subject &&
	echo "bus: fold refs/bus/queue/c" >expect &&
	test_cmp expect subject
'

test_expect_success 'the station fast-forwards over the merge, and so does another' '
	(cd st-a && bus-sync -q) &&
	test "$(git -C st-a rev-parse HEAD)" = "$(hub_tip)" &&
	(cd st-b && bus-recv -f text) >out &&
	grep -q "through the queue" out
'

test_expect_success 'a second push to the queue builds on the merge' '
	id=$(cd st-a && bus-send --no-push c "second") &&
	queue_push a &&
	hub_files inbox-c >files &&
	grep -q "^inbox-c/$id.json$" files &&
	git -C hub.git merge-base --is-ancestor "$(git -C st-a rev-parse HEAD)" main
'

test_expect_success 'another branch and a queue pushed at one commit: the queue is still folded' '
	# post-receive takes the short way only for the branch HEAD names
	id=$(cd st-c && bus-send --no-push a "beside the branch") &&
	git -C st-c push -q origin HEAD:refs/heads/side HEAD:refs/bus/queue/c &&
	git -C hub.git update-ref -d refs/heads/side &&
	hub_files inbox-a >files &&
	grep -q "^inbox-a/$id.json$" files
'

test_expect_success 'a queue holding a bad message is refused, the hub unchanged' '
	before=$(hub_tip) &&
	qbefore=$(git -C hub.git rev-parse refs/bus/queue/a) &&
	printf "{\"id\":\"bad\"}\n" >st-a/inbox-b/bad.json &&
	git -C st-a add inbox-b/bad.json &&
	git -C st-a commit -q --no-verify -m bad &&
	test_must_fail queue_push a 2>err &&
	grep -q "inbox-b/bad.json" err &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C hub.git rev-parse refs/bus/queue/a)" = "$qbefore" &&
	git -C st-a reset -q --hard HEAD^
'

test_expect_success 'a queue of no agent, of a bad name, or deleted, is refused' '
	before=$(hub_tip) &&
	test_must_fail queue_push a nobody 2>err &&
	grep -q "nobody has no inbox" err &&
	test_must_fail queue_push a Bad 2>err &&
	grep -q "not an agent name" err &&
	test_must_fail git -C st-a push -q origin :refs/bus/queue/a 2>err &&
	grep -q "a queue is never deleted" err &&
	test_must_fail git -C st-a push -q origin HEAD:refs/bus/elsewhere 2>err &&
	grep -q "may set only" err &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'a queue is only fast-forwarded' '
	before=$(git -C hub.git rev-parse refs/bus/queue/a) &&
	(cd st-c && bus-send --no-push a "from c, in a queue not its own") &&
	test_must_fail git -C st-c push -q origin +HEAD:refs/bus/queue/a 2>err &&
	grep -q "not a fast-forward" err &&
	test "$(git -C hub.git rev-parse refs/bus/queue/a)" = "$before" &&
	queue_push c
'

test_expect_success 'a queue moved with the branch still grows only from its last tip' '
	# a commit queued for a and not folded (no sequencer), then a
	# push that moves the branch and that queue to a commit without it
	mv hub.git/hooks/post-receive hub.git/post-receive.off &&
	(cd st-a && bus-send --no-push b "pending in its queue") >/dev/null &&
	queue_push a &&
	pending=$(git -C hub.git rev-parse refs/bus/queue/a) &&
	before=$(hub_tip) &&
	(cd st-b && bus-sync -q && bus-send --no-push c "on the tip") &&
	test_must_fail git -C st-b push -q origin HEAD:main \
		+HEAD:refs/bus/queue/a 2>err &&
	grep -q "refs/bus/queue/a: not a fast-forward: a queue only grows" err &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C hub.git rev-parse refs/bus/queue/a)" = "$pending" &&
	mv hub.git/post-receive.off hub.git/hooks/post-receive &&
	bus-check -C hub.git --post-receive </dev/null &&
	git -C hub.git merge-base --is-ancestor "$pending" main &&
	(cd st-b && bus-sync -q)
'

test_expect_success 'stations pushing their queues at once: every message once' '
	for s in a b c; do
		(cd st-$s && bus-sync -q) || { echo "SYNC $s"; exit 1; }
	done &&
	for s in a b c; do
		for i in 1 2 3; do
			(cd st-$s && bus-send --no-push -q a "$s $i") || exit 1
		done
	done &&
	for s in a b c; do
		queue_push $s &
	done &&
	wait &&
	for s in a b c; do
		git -C hub.git merge-base --is-ancestor \
			refs/bus/queue/$s main || exit 1
	done &&
	for s in a b c; do
		for i in 1 2 3; do
			git -C hub.git grep -l "\"body\":\"$s $i\"" main -- inbox-a \
				>found &&
			test $(wc -l <found) = 1 || { echo "DUP $s $i"; cat found; exit 1; }
		done
	done &&
	bus-check -C hub.git --tree main
'

test_expect_success 'the sequencer killed at random instants: the next run finishes' '
	mv hub.git/hooks/post-receive hub.git/post-receive.off &&
	for s in a b c; do
		(cd st-$s && bus-sync -q) || { echo "SYNC $s"; exit 1; }
	done &&
	i=0 &&
	while [ $i -lt 10 ]; do
		for s in a b c; do
			(cd st-$s && bus-send --no-push -q b "k $s $i" &&
			 git push -q origin HEAD:refs/bus/queue/$s) || exit 1
		done &&
		kill_soon sh -c "cd hub.git && exec bus-check --post-receive </dev/null" &&
		kill_soon sh -c "cd hub.git && exec bus-check --post-receive </dev/null" &&
		# a failed round must fail the test, not send its messages again
		{ git -C hub.git fsck --no-progress --connectivity-only \
			>/dev/null 2>fsck.err || { echo "FSCK $i"; cat fsck.err; exit 1; }; } &&
		i=$((i + 1))
	done &&
	mv hub.git/post-receive.off hub.git/hooks/post-receive &&
	(cd hub.git && bus-check --post-receive </dev/null) &&
	for s in a b c; do
		git -C hub.git merge-base --is-ancestor \
			refs/bus/queue/$s main || exit 1
		i=0
		while [ $i -lt 10 ]; do
			git -C hub.git grep -l "\"body\":\"k $s $i\"" main -- inbox-b \
				>found &&
			test $(wc -l <found) = 1 || { echo "DUP $s $i"; cat found; exit 1; }
			i=$((i + 1))
		done
	done &&
	bus-check -C hub.git --tree main
'

test_expect_success 'a crowd of 8 stations x 10 sends in queue mode: no 75, every message once' '
	for s in 1 2 3 4 5 6 7 8; do
		bus-init -a "w$s" hub.git "st-w$s" >/dev/null || exit 1
	done &&
	for s in 1 2 3 4 5 6 7 8; do
		(cd "st-w$s" && i=0 && while [ $i -lt 10 ]; do
			bus-send -q b "crowd w$s $i" >>../ids.w$s ||
				echo "w$s $i: $?" >>../gaveup
			i=$((i + 1))
		done) &
	done &&
	wait &&
	! test -s gaveup &&
	cat ids.w* >ids &&
	test $(wc -l <ids) = 80 &&
	hub_files inbox-b >files &&
	for id in $(cat ids); do
		test $(grep -c "/$id.json$" files) = 1 || { echo "not once: $id"; exit 1; }
	done &&
	bus-check -C hub.git --tree main
'

test_expect_success 'a bare and a full station in queue mode' '
	bus-init --bare -a bare hub.git st-bare >/dev/null &&
	bus-init --full -a full hub.git st-full >/dev/null &&
	id1=$(cd st-bare && bus-send full "from the bare one") &&
	id2=$(cd st-full && bus-send bare "from the full one") &&
	test "$(git -C st-full rev-parse HEAD)" = "$(git -C hub.git rev-parse refs/bus/queue/full)" &&
	(cd st-full && bus-recv -f id) >got &&
	echo "$id1" >expect && test_cmp expect got &&
	(cd st-bare && bus-recv -f id) >got &&
	echo "$id2" >expect && test_cmp expect got &&
	git -C st-full status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'a queue left unfolded, its commit replayed and read since, is not delivered twice' '
	# the sequencer does not run for two pushes: a queued send, and
	# another station moving the branch, so that a replays its send
	mv hub.git/hooks/post-receive hub.git/post-receive.off &&
	id=$(cd st-a && bus-send b "only once") &&
	(cd st-c && bus-send b "moves the branch") >/dev/null &&
	mv hub.git/post-receive.off hub.git/hooks/post-receive &&
	(cd st-a && bus-sync -q) &&
	hub_files inbox-b | grep -q "^inbox-b/$id.json$" &&
	(cd st-b && bus-recv -f id) >got &&
	grep -q "$id" got &&
	(cd st-b && bus-ack "$id") &&
	(cd st-c && bus-send a "anything, to run the sequencer") >/dev/null &&
	git -C hub.git merge-base --is-ancestor refs/bus/queue/a main &&
	hub_files inbox-b >files &&
	! grep -q "$id" files &&
	(cd st-b && bus-recv -f id) >got &&
	! grep -q "$id" got
'

test_expect_success 'a queue folded after its send was replayed and read does not bring it back' '
	# the sequencer does not run: a, behind the hub, sends (its queue
	# takes it, nothing folds it), then replays it on the branch
	mv hub.git/hooks/post-receive hub.git/post-receive.off &&
	(cd st-a && bus-sync -q) &&
	(cd st-c && bus-sync -q && bus-send b "puts a behind") >/dev/null &&
	id=$(cd st-a && bus-send b "read once") &&
	! hub_files inbox-b | grep -q "$id" &&
	(cd st-c && bus-send b "moves the branch") >/dev/null &&
	(cd st-a && bus-sync -q) &&
	hub_files inbox-b | grep -q "^inbox-b/$id.json$" &&
	! git -C hub.git merge-base --is-ancestor refs/bus/queue/a main &&
	(cd st-b && bus-recv -f id) >got &&
	grep -q "$id" got &&
	(cd st-b && bus-ack "$id") &&
	# the sequencer back; c behind the hub: its queue runs it, which
	# folds the old queue of a after the ack
	mv hub.git/post-receive.off hub.git/hooks/post-receive &&
	(cd st-c && bus-send a "runs the sequencer") >/dev/null &&
	git -C hub.git merge-base --is-ancestor refs/bus/queue/a main &&
	hub_files inbox-b >files &&
	! grep -q "$id" files &&
	hub_files archive-b | grep -c "$id" >n &&
	echo 1 >expect && test_cmp expect n &&
	git -C hub.git log --format=%B main | grep -q "left out: inbox-b/$id.json" &&
	(cd st-b && bus-recv -f id) >got &&
	! grep -q "$id" got
'

test_expect_success 'bus-init --hub --direct folds what is queued, then stations push the branch' '
	mv hub.git/hooks/post-receive hub.git/post-receive.off &&
	(cd st-a && bus-sync -q) &&
	(cd st-c && bus-sync -q && bus-send b "puts a behind") >/dev/null &&
	id=$(cd st-a && bus-send b "queued, not folded") &&
	mv hub.git/post-receive.off hub.git/hooks/post-receive &&
	! hub_files inbox-b | grep -q "$id" &&
	bus-init --hub --direct hub.git 2>err &&
	test_must_be_empty err &&
	hub_files inbox-b | grep -q "^inbox-b/$id.json$" &&
	test ! -e hub.git/hooks/post-receive &&
	test -x hub.git/hooks/pre-receive &&
	! git -C hub.git rev-parse -q --verify refs/bus/mode/queue &&
	qa=$(git -C hub.git rev-parse refs/bus/queue/a) &&
	(cd st-a && bus-sync -q) &&
	! git -C st-a rev-parse -q --verify refs/bus/hub-mode/queue &&
	id=$(cd st-a && bus-send b "direct now") &&
	test "$(hub_tip)" = "$(git -C st-a rev-parse HEAD)" &&
	test "$(git -C hub.git rev-parse refs/bus/queue/a)" = "$qa" &&
	hub_files inbox-b | grep -q "^inbox-b/$id.json$"
'

test_expect_success 'bus-init --hub again: queue mode again' '
	bus-init --hub hub.git &&
	test -x hub.git/hooks/post-receive &&
	git -C hub.git rev-parse -q --verify refs/bus/mode/queue &&
	(cd st-a && bus-sync -q) &&
	id=$(cd st-a && bus-send b "queued again") &&
	test "$(git -C hub.git rev-parse refs/bus/queue/a)" = "$(git -C st-a rev-parse HEAD)" &&
	hub_files inbox-b | grep -q "^inbox-b/$id.json$"
'

test_expect_success 'bus-init --direct without --hub is a usage error' '
	test_expect_code 64 bus-init --direct -a z hub.git st-z 2>err &&
	grep -q "usage:" err &&
	test ! -e st-z
'

test_done
