#!/bin/sh
test_description='durability and concurrency: unreachable hubs, races, locks, user edits'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'set up a hub and four stations' '
	setup_bus a b c d >/dev/null
'

test_expect_success 'hub unreachable: 75, the commit kept, the id printed' '
	mv hub.git hub.away &&
	(cd st-a && test_expect_code 75 bus-send b "while away") >id 2>err &&
	test $(wc -l <id) -eq 1 &&
	git -C st-a cat-file -e "main:inbox-b/$(cat id).json" &&
	mv hub.away hub.git &&
	! git -C hub.git cat-file -e "main:inbox-b/$(cat id).json"
'

test_expect_success 'reading while unreachable answers from the station with 75' '
	mv hub.git hub.away &&
	(cd st-b && test_expect_code 75 bus-recv -f id) >out 2>err &&
	grep "going on from the station" err &&
	mv hub.away hub.git
'

test_expect_success 'the next syncing command delivers the queued commit' '
	(cd st-a && bus-recv -f id) >/dev/null &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	(cd st-b && bus-recv -f id) >got &&
	test_cmp id got
'

test_expect_success 'stations that raced replay their commits: nothing lost' '
	(cd st-a && bus-send --no-push c from-a) >ida &&
	(cd st-b && bus-send --no-push c from-b) >idb &&
	(cd st-a && bus-recv -f id >/dev/null) &&
	(cd st-b && bus-recv -f id >/dev/null) &&
	(cd st-c && bus-recv -f id) >got &&
	cat ida idb | sort >expect &&
	sort got >got.sorted &&
	test_cmp expect got.sorted &&
	git -C hub.git log --merges --format=%s main >merges &&
	if hub_queued; then
		# the merges of the sequencer only
		{ grep -v "^bus: fold refs/bus/queue/[a-d]\$" merges || :; } \
			>others && mv others merges
	fi &&
	test_must_be_empty merges
'

test_expect_success 'a replay never overwrites what another station changed' '
	mkdir -p st-a/user-sync st-c/user-sync &&
	echo "likes tea" >st-a/user-sync/USER.md &&
	git -C st-a add user-sync && git -C st-a commit -q -m tea &&
	echo "lives in Paris" >st-c/user-sync/USER.md &&
	git -C st-c add user-sync && git -C st-c commit -q -m paris &&
	(cd st-c && bus-recv -f id) >/dev/null &&
	(cd st-a && test_expect_code 65 bus-recv -f id) >/dev/null 2>err &&
	grep "user-sync/USER.md changed on the hub" err &&
	git -C hub.git show main:user-sync/USER.md >hubfile &&
	echo "lives in Paris" >expect &&
	test_cmp expect hubfile &&
	git -C st-a reset -q --hard origin/main
'

test_expect_success '4 stations x 25 sends in parallel: all 100 land once' '
	for s in a b c d; do
		(cd st-$s && i=0 && while [ $i -lt 25 ]; do
			bus-send -q c "$s $i"
			rc=$? && [ $rc -eq 0 ] || [ $rc -eq 75 ] || exit 1
			i=$((i + 1))
		done) >sent-$s 2>err-$s &
	done &&
	wait &&
	for s in a b c d; do
		git -C st-$s status --porcelain >status &&
		test_must_be_empty status || exit 1
	done &&
	# a send that lost the race too often (75) is pushed by the next sync
	for s in a b c d; do bus-recv -q -C st-$s -f id >/dev/null; done &&
	cat sent-a sent-b sent-c sent-d | sort >sent &&
	test $(wc -l <sent) -eq 100 &&
	hub_files inbox-c | sed -n "s|^inbox-c/\(.*\)\.json$|\1|p" | sort >landed &&
	comm -23 sent landed >missing &&
	test_must_be_empty missing &&
	git -C hub.git fsck --no-progress 2>&1 | grep -v "^dangling" >fsck;
	test_must_be_empty fsck
'

test_expect_success 'two commands at once in one station both land' '
	(cd st-d && bus-send a one) >o1 &
	(cd st-d && bus-send a two) >o2 &
	wait &&
	for id in $(cat o1 o2); do
		git -C hub.git cat-file -e "main:inbox-a/$id.json" || exit 1
	done
'

test_expect_success 'a held lock makes others wait; a killed holder frees it' '
	git -C st-d config bus.lockTimeout 1 &&
	{ flock -o st-d/.git/bus.lock sleep 30 & } &&
	holder=$! &&
	sleep 0.3 &&
	(cd st-d && test_expect_code 75 bus-send a blocked) 2>err &&
	grep "another bus command has held the station" err &&
	kill -9 $holder && wait $holder;
	(cd st-d && bus-send a after) >/dev/null &&
	git -C st-d config --unset bus.lockTimeout
'

test_expect_success 'user edits around bus commands survive untouched' '
	cd st-b &&
	echo "my notes" >notes.txt &&
	echo "staged" >staged.txt && git add staged.txt &&
	echo "local change" >>README.md &&
	git status --porcelain >../before &&
	bus-send c "with edits around" >/dev/null &&
	bus-recv -f id | bus-ack - &&
	git status --porcelain >../after &&
	test_cmp ../before ../after &&
	git -C ../hub.git log --format=%H main -- staged.txt notes.txt >../touched &&
	test_must_be_empty ../touched &&
	test $(git -C ../hub.git log --format=%H main -- README.md | wc -l) -eq 1
'

test_expect_success 'unsafe states are refused and nothing changes' '
	before=$(hub_tip) &&
	mkdir st-c/.git/rebase-merge &&
	(cd st-c && test_expect_code 64 bus-send a x) 2>err &&
	grep "rebase is in progress" err &&
	rmdir st-c/.git/rebase-merge &&
	git -C st-c checkout -q --detach &&
	(cd st-c && test_expect_code 64 bus-recv) 2>err &&
	grep "HEAD is detached" err &&
	git -C st-c checkout -q main &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'a refusal after a fetch still leaves the work tree in step' '
	(cd st-a && bus-send b "news for b") >/dev/null &&
	(cd st-b && test_expect_code 67 bus-send nosuch hi) 2>/dev/null &&
	git -C st-b status --porcelain -- "inbox-*" "archive-*" >status &&
	test_must_be_empty status
'

test_expect_success 'a work tree update that fails is finished later' '
	(cd st-a && bus-send b "more news") >/dev/null &&
	: >st-b/.git/index.lock &&
	(cd st-b && bus-send a "with the index locked") >id 2>err &&
	test $(wc -l <id) -eq 1 &&
	grep "the next bus command brings the work tree along" err &&
	test -f st-b/.git/bus-checkout &&
	rm st-b/.git/index.lock &&
	(cd st-b && bus-recv -n -f id) >/dev/null &&
	git -C st-b status --porcelain -- "inbox-*" "archive-*" >status &&
	test_must_be_empty status
'

# racing-git: git, but before the first push another station sends, so
# that the push loses its race and the branch moves once more.
cat >racing-git <<EOS
#!/bin/sh
case " \$* " in
*" push "*)
	if ! test -e "$TRASH_DIRECTORY/raced"; then
		: >"$TRASH_DIRECTORY/raced"
		(unset BUS_GIT; cd "$TRASH_DIRECTORY/st-c" &&
		    bus-send -q b "the racer" >/dev/null)
	fi ;;
esac
exec git "\$@"
EOS
chmod +x racing-git

test_expect_success 'a work tree update that failed is redone whole after the branch moves again' '
	: >st-b/.git/index.lock &&
	(BUS_GIT="$TRASH_DIRECTORY/racing-git" && export BUS_GIT &&
	    cd st-b && bus-send a "own message") >id 2>err &&
	test -e raced &&
	test $(grep -c "brings the work tree along" err) -eq 2 &&
	rm st-b/.git/index.lock &&
	(cd st-b && bus-recv -n -f id) >/dev/null &&
	git -C st-b status --porcelain -- "inbox-*" "archive-*" >status &&
	test_must_be_empty status &&
	test -f "st-b/inbox-a/$(cat id).json" &&
	test ! -f st-b/.git/bus-checkout
'

test_expect_success 'a half-done work tree update is finished by the next command' '
	(cd st-a && bus-send c "x") >/dev/null &&
	old=$(git -C st-c rev-parse main) &&
	git -C st-c fetch -q origin &&
	git -C st-c update-ref refs/heads/main origin/main &&
	echo "$old" >st-c/.git/bus-checkout &&
	(cd st-c && bus-recv -n -f id) >/dev/null &&
	! test -f st-c/.git/bus-checkout &&
	git -C st-c status --porcelain >status &&
	test_must_be_empty status
'

# connections FILE: "fetches pushes" that a -v trace in FILE shows; on
# a local hub each is one connection, as each is over ssh.
connections () {
	echo "$(grep -c " fetch --no-tags " "$1") $(grep -c " push --porcelain " "$1")"
}

test_expect_success 'a send or an ack from a current station opens one connection: the push' '
	(cd st-a && bus-recv -q -f id >/dev/null) &&
	(cd st-a && bus-send -v b "one round trip") >id 2>trace &&
	echo "0 1" >expect && connections trace >got && test_cmp expect got &&
	id=$(cat id) &&
	git -C hub.git cat-file -e "main:inbox-b/$id.json" &&
	(cd st-b && bus-recv -q -f id >/dev/null) &&
	bus-ack -C st-b -v "$id" 2>trace &&
	connections trace >got && test_cmp expect got &&
	hub_files archive-b | grep -F "/$id.json"
'

test_expect_success 'a stale station: the refused push fetches, replays and pushes again' '
	(cd st-c && bus-send -q a "the hub moves") >/dev/null &&
	(cd st-a && bus-send -v b "on a stale tip") >id 2>trace &&
	if hub_queued; then
		echo "0 1" >expect	# its own queue: no race, no fetch
	else
		echo "1 2" >expect
	fi &&
	connections trace >got && test_cmp expect got &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	git -C st-a status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'an agent not known yet costs one fetch, then the push' '
	bus-init -a late hub.git st-late >/dev/null &&
	(cd st-a && bus-send -v late "welcome") >id 2>trace &&
	echo "1 1" >expect && connections trace >got && test_cmp expect got &&
	git -C hub.git cat-file -e "main:inbox-late/$(cat id).json"
'

test_expect_success 'an id not found here costs one fetch, then the push' '
	(cd st-c && bus-send a "ack me later") >id &&
	bus-ack -C st-a -v "$(cat id)" 2>trace &&
	echo "1 1" >expect && connections trace >got && test_cmp expect got &&
	hub_files archive-a | grep -F "/$(cat id).json"
'

test_done
