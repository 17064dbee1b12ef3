#!/bin/sh
test_description='queue mode with bus.requireSigned: a queue takes only its agent'"'"'s signed commits'
. "$BUS_SRC_DIR/tests/test-lib.sh"

skip_all_without ssh-keygen "signed queues"

test_expect_success 'set up keys and a signed hub in queue mode' '
	make_keys f g &&
	bus-init --hub hub.git &&
	bus-init -a f --sign-key keys/f hub.git st-f >/dev/null &&
	bus-init -a g --sign-key keys/g hub.git st-g >/dev/null &&
	signed_hub hub.git f g &&
	hub_queued &&
	bus-recv -C st-f -f id >/dev/null && bus-recv -C st-g -f id >/dev/null
'

test_expect_success 'a signed send goes through the queue onto the branch' '
	id=$(cd st-f && bus-send g "signed, queued") &&
	hub_files inbox-g >files &&
	grep -q "^inbox-g/$id.json$" files &&
	test "$(hub_tip)" = "$(git -C hub.git rev-parse refs/bus/queue/f)" &&
	git -C hub.git cat-file commit refs/bus/queue/f >commit &&
	grep -q "^gpgsig -----BEGIN SSH SIGNATURE-----" commit
'

test_expect_success 'a commit signed by g pushed to f'"'"'s queue is refused' '
	bus-recv -C st-g -f id >/dev/null &&
	before=$(hub_tip) &&
	qbefore=$(git -C hub.git rev-parse refs/bus/queue/f) &&
	(cd st-g && bus-send --no-push -q f "in the wrong queue") &&
	test_must_fail git -C st-g push -q origin HEAD:refs/bus/queue/f 2>err &&
	grep -q "signed by g, and only f pushes to its queue" err &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C hub.git rev-parse refs/bus/queue/f)" = "$qbefore"
'

test_expect_success 'an unsigned commit in a queue is refused' '
	signed_clone f &&
	git -C raw fetch -q origin refs/bus/queue/f &&
	git -C raw reset -q --hard origin/main &&
	printf "%s\n" "{\"id\":\"u1\",\"ts\":\"2026-12-01T00:00:00Z\",\"from\":\"f\",\"to\":\"g\",\"type\":\"note\",\"body\":\"u\"}" \
		>raw/inbox-g/u1.json &&
	git -C raw add inbox-g/u1.json &&
	git -C raw commit -q --no-verify -m unsigned &&
	before=$(hub_tip) &&
	test_must_fail git -C raw push -q origin HEAD:refs/bus/queue/f 2>err &&
	grep -q "signed" err &&
	test "$(hub_tip)" = "$before"
'

test_done
