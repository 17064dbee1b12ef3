#!/bin/sh
test_description='queue mode, signed: a station with bus.requireSigned and bus-check --range accept the sequencer'"'"'s merges by doing them again'
. "$BUS_SRC_DIR/tests/test-lib.sh"

skip_all_without ssh-keygen "signed queues"

TS=2026-11-30T10:15:00Z
SQ="'"

# msg ID FROM TO: a message, as one line.
msg () {
	printf '{"id":"%s","ts":"%s","from":"%s","to":"%s","type":"note","body":"hi"}\n' \
		"$1" "$TS" "$2" "$3"
}

# blob ID FROM TO: the message written into the hub, its blob's id.
blob () {
	msg "$@" | git -C hub.git hash-object -w --stdin
}

# tree_plus BASE PATH=BLOB...: BASE's tree with the files added, written
# in the hub.
tree_plus () {
	_base=$1
	shift
	GIT_INDEX_FILE="$TRASH_DIRECTORY/plant.idx" &&
	export GIT_INDEX_FILE &&
	git -C hub.git read-tree "$_base" &&
	for _pb in "$@"; do
		git -C hub.git update-index --add \
			--cacheinfo "100644,${_pb#*=},${_pb%%=*}" || return 1
	done &&
	git -C hub.git write-tree
	_rc=$?
	unset GIT_INDEX_FILE
	rm -f "$TRASH_DIRECTORY/plant.idx"
	return $_rc
}

# queue_commit KEY|- BASE ID FROM TO: a commit on BASE adding the
# message to TO's inbox, signed by keys/KEY (- unsigned), made in a
# plain clone and fetched into the hub (no hook sees it): its id.
queue_commit () {
	if [ "$1" = - ]; then
		rm -rf raw && git clone -q hub.git raw
	else
		signed_clone "$1"
	fi &&
	git -C raw reset -q --hard "$2" &&
	msg "$3" "$4" "$5" >"raw/inbox-$5/$3.json" &&
	git -C raw add "inbox-$5/$3.json" &&
	if [ "$1" = - ]; then
		git -C raw commit -q --no-verify -m "$3"
	else
		git -C raw commit -q -S --no-verify -m "$3"
	fi &&
	git -C hub.git fetch -q ../raw HEAD &&
	git -C raw rev-parse HEAD
}

# plant TREE PARENT...: a commit of TREE on PARENTs (unsigned, as the
# sequencer makes them), made the hub's main by hand: its id.
plant () {
	_tree=$1
	shift
	_c=$(for _p in "$@"; do printf -- "-p %s " "$_p"; done) &&
	_m=$(git -C hub.git commit-tree $_c -m "bus: fold by hand" "$_tree") &&
	git -C hub.git update-ref refs/heads/main "$_m" &&
	echo "$_m"
}

# refused STATION WHY: the station's bus-recv names the problem WHY of
# the merge $m (exit 65) and lists what it listed before (expect).
refused () {
	_short=$(git -C hub.git rev-parse --short=12 "$m") &&
	test_expect_code 65 recv_ids "$1" &&
	test_cmp expect "ids.$1" &&
	grep -F "merge: commit $_short: $2" "err.$1"
}

# range_refused WHY: so does bus-check --range over $p1..main.
range_refused () {
	_short=$(git -C hub.git rev-parse --short=12 "$m") &&
	test_expect_code 65 bus-check -C hub.git --range "$p1..main" 2>err &&
	grep -F "merge: commit $_short: $1" err
}

# recv_ids STATION: what bus-recv lists, ids sorted, into ids.STATION.
recv_ids () {
	bus-recv -C "$1" -f id >"ids.$1.raw" 2>"err.$1"
	_rc=$?
	sort "ids.$1.raw" >"ids.$1"
	return $_rc
}

test_expect_success 'set up keys, a signed hub in queue mode, verifying stations' '
	make_keys f g h &&
	bus-init --hub hub.git &&
	hub_queued &&
	for a in f g h; do
		bus-init -a $a --sign-key keys/$a hub.git st-$a >/dev/null ||
		return 1
	done &&
	bus-init -a h --bare --sign-key keys/h hub.git st-hb >/dev/null &&
	bus-init -a h --full --sign-key keys/h hub.git st-hf >/dev/null &&
	signed_hub hub.git f g h &&
	start=$(hub_tip) && echo "$start" >start &&
	for s in st-f st-g st-h st-hb st-hf; do
		bus-recv -C $s -f id >/dev/null || return 1
	done &&
	for s in st-h st-hb st-hf; do
		git -C $s config bus.requireSigned true || return 1
	done &&
	bus-recv -C st-h -f id >ids && test_must_be_empty ids
'

test_expect_success 'two stations sending at once make the sequencer merge' '
	(cd st-f && bus-send --no-push -q -i f1 h "one from f") &&
	(cd st-g && bus-send --no-push -q -i g1 h "one from g") &&
	{ git -C st-f push -q origin HEAD:refs/bus/queue/f & pf=$!; } &&
	{ git -C st-g push -q origin HEAD:refs/bus/queue/g & pg=$!; } &&
	wait $pf && wait $pg &&
	for i in 1 2 3; do
		(cd st-f && bus-send -q -i f2$i h "f, round $i") & p1=$!
		(cd st-g && bus-send -q -i g2$i h "g, round $i") & p2=$!
		wait $p1 && wait $p2 || return 1
	done &&
	git -C hub.git rev-list --merges main >merges &&
	test -s merges &&
	for m in $(cat merges); do
		git -C hub.git cat-file commit $m >c &&
		! grep -q "^gpgsig" c || return 1
	done &&
	hub_files inbox-h | sed -n "s|^inbox-h/\(.*\)\.json$|\1|p" | sort >expect &&
	test $(wc -l <expect) = 8
'

test_expect_success 'a signed station, bare and full ones too, accept the merges' '
	for s in st-h st-hb st-hf; do
		recv_ids $s &&
		test_cmp expect ids.$s &&
		test_must_be_empty err.$s &&
		! test -s $s/.git/bus-untrusted 2>/dev/null &&
		! test -s $s/bus-untrusted 2>/dev/null || return 1
	done
'

test_expect_success 'bus-check --range accepts the hub'"'"'s history, merges and all' '
	bus-check -C hub.git --range "$(cat start)..main" 2>err &&
	test_must_be_empty err &&
	git -C hub.git config bus.requireSigned false &&
	bus-check -C hub.git --range "$(cat start)..main" &&
	git -C hub.git config bus.requireSigned true
'

# The attacks: merges planted on the hub by hand, as a hub that is not
# to be trusted could.  Each is refused and named, and the station
# lists what it listed before.
test_expect_success 'a merge holding a path its queue does not change' '
	old=$(git -C hub.git rev-parse main~3) &&
	p1=$(hub_tip) &&
	q=$(queue_commit f $old x1 f h) &&
	tree=$(tree_plus $p1 inbox-h/x1.json=$(blob x1 f h) \
		inbox-h/evil1.json=$(blob evil1 g h)) &&
	m=$(plant $tree $p1 $q) &&
	refused st-h "changes inbox-h/evil1.json, which its queue does not" &&
	range_refused "changes inbox-h/evil1.json, which its queue does not" &&
	! grep -F "inbox-h/x1.json, which" err
'

test_expect_success 'a merge holding another blob than its queue gave' '
	p1=$(hub_tip) &&
	q=$(queue_commit g $p1~2 x2 g h) &&
	tree=$(tree_plus $p1 inbox-h/x2.json=$(blob x2 f h)) &&
	m=$(plant $tree $p1 $q) &&
	refused st-hb "inbox-h/x2.json is not what its queue last made it"
'

test_expect_success 'a merge of unsigned commits' '
	p1=$(hub_tip) &&
	q=$(queue_commit - $p1~2 u1 f h) &&
	tree=$(tree_plus $p1 inbox-h/u1.json=$(blob u1 f h)) &&
	m=$(plant $tree $p1 $q) &&
	qs=$(git -C hub.git rev-parse --short=12 $q) &&
	refused st-h "its queue${SQ}s commit $qs is not signed by an agent${SQ}s key" &&
	range_refused "its queue${SQ}s commit $qs is not signed"
'

test_expect_success 'a merge of two agents'"'"' commits, one line' '
	p1=$(hub_tip) &&
	a=$(queue_commit f $p1~2 y1 f h) &&
	git -C hub.git update-ref refs/planted/y1 $a &&
	signed_clone g &&
	git -C raw fetch -q origin refs/planted/y1 &&
	git -C raw reset -q --hard FETCH_HEAD &&
	msg y2 g h >raw/inbox-h/y2.json &&
	git -C raw add inbox-h/y2.json &&
	git -C raw commit -q -S --no-verify -m y2 &&
	git -C hub.git fetch -q ../raw HEAD &&
	b=$(git -C raw rev-parse HEAD) &&
	git -C hub.git update-ref -d refs/planted/y1 &&
	tree=$(tree_plus $p1 inbox-h/y1.json=$(blob y1 f h) \
		inbox-h/y2.json=$(blob y2 g h)) &&
	m=$(plant $tree $p1 $b) &&
	refused st-hf "its queue holds commits signed by f and by g; a queue is one agent${SQ}s"
'

test_expect_success 'a merge with three parents' '
	p1=$(hub_tip) &&
	a=$(queue_commit f $p1~2 z1 f h) &&
	b=$(queue_commit g $p1~2 z2 g h) &&
	tree=$(tree_plus $p1 inbox-h/z1.json=$(blob z1 f h) \
		inbox-h/z2.json=$(blob z2 g h)) &&
	m=$(plant $tree $p1 $a $b) &&
	refused st-h "it has more than two parents" &&
	range_refused "it has more than two parents"
'

test_expect_success 'the hub'"'"'s hook still refuses any merge a station pushes' '
	p1=$(hub_tip) &&
	signed_clone f &&
	msg w1 f h >raw/inbox-h/w1.json &&
	git -C raw add inbox-h/w1.json &&
	git -C raw commit -q -S --no-verify -m w1 &&
	m=$(git -C raw commit-tree -S -p $p1 -p HEAD -m "a merge" HEAD^{tree}) &&
	git -C raw reset -q --hard $m &&
	test_must_fail git -C raw push -q origin HEAD:main 2>err &&
	grep -F "the bus history is linear" err &&
	test "$(hub_tip)" = "$p1"
'

test_expect_success 'after the refusals, a real fold is accepted again' '
	(cd st-f && bus-send --no-push -q -i f9 h "after") &&
	(cd st-g && bus-send --no-push -q -i g9 h "after, too") &&
	git -C st-f push -q origin HEAD:refs/bus/queue/f &&
	git -C st-g push -q origin HEAD:refs/bus/queue/g &&
	test "$(git -C hub.git rev-list --parents -1 main | wc -w)" = 3 &&
	recv_ids st-h &&
	grep -x f9 ids.st-h && grep -x g9 ids.st-h &&
	! grep -F "merge: " err.st-h
'

test_done
