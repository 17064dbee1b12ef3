#!/bin/sh
test_description='the same state, the same status: one table for every tool'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# bus(7), EXIT STATUS, "The same state, the same status": every tool
# that works in a station meets the hub at the lock, the sync and the
# push, and applies one table to what it finds there.  Each state below
# is met by each of those tools in turn, in the station st-a:
#
#	send	bus-send b hi
#	recv	bus-recv
#	ack	bus-ack ID		(ID in the inbox of a)
#	status	bus-status
#	sync	bus-sync		(bus.heartbeat: a beat to push)
#	profile	profile-merge --sync FILE	(a new fact in FILE)
#	skills	skills-sync --notify	(a changed skill to push and tell)
#
# and the test looks at what happened (the hub's tree, the station's
# branch, stdout), not only at the status.

TOOLS="send recv ack status sync profile skills"

# A message that the hub refuses once it takes at most 400 bytes.
BIG="a body long enough to pass 400 bytes once it is a message: $(printf "%0400d" 0)"

# next: a number not given before.
next () {
	_n=$(($(cat "$TRASH_DIRECTORY/counter" 2>/dev/null || echo 0) + 1)) &&
	echo $_n >"$TRASH_DIRECTORY/counter" &&
	echo $_n
}

# tip GITDIR: the branch main of GITDIR.
tip () {
	git -C "$TRASH_DIRECTORY/$1" rev-parse main
}

skills_tip () {
	git -C "$TRASH_DIRECTORY/skills.git" rev-parse main
}

# refused_refs: the commits st-a set aside, one a line.
refused_refs () {
	git -C "$TRASH_DIRECTORY/st-a" for-each-ref \
		--format="%(objectname)" refs/bus/refused/
}

# queued: how many commits of st-a the hub does not have.
queued () {
	git -C "$TRASH_DIRECTORY/st-a" rev-list --count origin/main..main
}

# clean: the work tree of st-a shows its branch, nothing else.
clean () {
	git -C "$TRASH_DIRECTORY/st-a" status --porcelain \
		>"$TRASH_DIRECTORY/porcelain" &&
	test_must_be_empty "$TRASH_DIRECTORY/porcelain"
}

# prepare TOOL [fetch]: give TOOL work to do in st-a.  recv, ack and
# status get a message from b in the inbox of a (./msg), in the station
# already with fetch; recv and status also a send that a queued (./queued),
# for them to push; sync a beat due; profile a new fact (./token);
# skills a changed skill.
prepare () {
	_t=$TRASH_DIRECTORY
	case $1 in
	recv|ack|status)
		(cd "$_t/st-b" && bus-send a "for a") >"$_t/msg" &&
		if test "$2" = fetch; then
			bus-recv -C "$_t/st-a" -q -f id >/dev/null
		fi ;;
	sync)
		rm -f "$_t/st-a/.git/bus-heartbeat" ;;
	profile)
		next >"$_t/token" &&
		echo "- fact $(cat "$_t/token")" >>"$_t/a.md" ;;
	skills)
		echo "- step $(next)" >>"$_t/a/src/mine/SKILL.md" ;;
	esac &&
	case $1 in
	recv|status)
		(cd "$_t/st-a" && bus-send --no-push b "queued") >"$_t/queued" ;;
	esac
}

# run TOOL: run TOOL in st-a, its stdout in ./out, its stderr in ./err;
# returns its status.
run () {
	case $1 in
	send) (cd st-a && bus-send b hi) ;;
	recv) (cd st-a && bus-recv) ;;
	ack) (cd st-a && bus-ack "$(cat "$TRASH_DIRECTORY/msg")") ;;
	status) (cd st-a && bus-status) ;;
	sync) (cd st-a && bus-sync) ;;
	profile) (cd st-a && profile-merge --sync "$TRASH_DIRECTORY/a.md") ;;
	skills) (cd st-a && skills-sync --notify) ;;
	esac >"$TRASH_DIRECTORY/out" 2>"$TRASH_DIRECTORY/err"
}

# status_of ID: the state bus-status gave ID in ./out.
status_of () {
	sed -n "s/.*\"id\":\"$1\".*\"state\":\"\([a-z]*\)\".*/\1/p" \
		"$TRASH_DIRECTORY/out"
}

# landed GITDIR TOOL: the work TOOL did (after prepare) is on the branch
# main of GITDIR: for recv and status, the send they pushed; for sync,
# the beat of st-a as the presence ref of GITDIR.
landed () {
	_g=$TRASH_DIRECTORY/$1
	case $2 in
	send)
		git -C "$_g" cat-file -e \
			"main:inbox-b/$(cat "$TRASH_DIRECTORY/out").json" ;;
	recv|status)
		git -C "$_g" cat-file -e \
			"main:inbox-b/$(cat "$TRASH_DIRECTORY/queued").json" ;;
	ack)
		_id=$(cat "$TRASH_DIRECTORY/msg") &&
		! git -C "$_g" cat-file -e "main:inbox-a/$_id.json" &&
		git -C "$_g" ls-tree -r --name-only main archive-a/ \
			>"$TRASH_DIRECTORY/archived" &&
		grep "/$_id.json\$" "$TRASH_DIRECTORY/archived" ;;
	sync)
		test "$(git -C "$_g" rev-parse -q --verify refs/bus/presence/a)" = \
			"$(git -C "$TRASH_DIRECTORY/st-a" rev-parse refs/bus/presence/a)" ;;
	profile)
		git -C "$_g" grep -q -e "^- fact $(cat "$TRASH_DIRECTORY/token")\$" \
			main -- user-sync/USER.md ;;
	skills)
		git -C "$_g" grep -q -e "skills updated: $(skills_tip)" \
			main -- inbox-b/ ;;
	esac
}

# shows TOOL STATE: what TOOL printed on stdout (./out) is its answer;
# STATE is what bus-status says of the send that status pushed.
shows () {
	_o=$TRASH_DIRECTORY/out
	case $1 in
	send)
		test $(wc -l <"$_o") -eq 1 &&
		grep -q "^[0-9]*T[0-9]*Z-a-[0-9a-f]*\$" "$_o" ;;
	recv)
		grep "\"id\":\"$(cat "$TRASH_DIRECTORY/msg")\".*\"body\":\"for a\"" "$_o" ;;
	ack)
		test_must_be_empty "$_o" ;;
	profile)
		test $(wc -l <"$_o") -eq 1 &&
		grep -q "/a.md unchanged, shared profile " "$_o" ;;
	status)
		test "$(status_of "$(cat "$TRASH_DIRECTORY/queued")")" = "$2" &&
		grep "^{\"agent\":\"b\",\"unread\":" "$_o" ;;
	sync)
		grep "^fetched [0-9]* commits*, pushed [0-9]*, profile none, heartbeat sent\$" "$_o" ;;
	skills)
		echo "pushed mine" >"$TRASH_DIRECTORY/expect" &&
		test_cmp "$TRASH_DIRECTORY/expect" "$_o" ;;
	esac
}

# wait_for FILE: until FILE exists, for at most 20 seconds.
wait_for () {
	_n=0
	while ! test -e "$1"; do
		[ $_n -lt 200 ] || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

# hold: another command holds the lock of st-a, until release.  The
# subshell becomes the sleep that keeps the locked descriptor open, so
# killing it frees the lock and leaves nothing behind.
hold () {
	rm -f held
	(exec 9>>st-a/.git/bus.lock && flock 9 && : >held && exec sleep 30) &
	echo $! >holder &&
	wait_for held
}

release () {
	kill "$(cat holder)" &&
	{ wait "$(cat holder)" || :; }
}

test_expect_success 'set up a hub, stations a and b, a profile, skills and a heartbeat' '
	setup_bus a b >/dev/null &&
	git init -q --bare skills.git &&
	git clone -q skills.git seed 2>/dev/null &&
	echo "the skills" >seed/README &&
	git -C seed add . && git -C seed commit -q -m start &&
	git -C seed push -q origin main &&
	git clone -q skills.git a/skills &&
	mkdir -p a/src/mine &&
	echo "# Mine" >a/src/mine/SKILL.md &&
	git -C st-a config skills.repo "$TRASH_DIRECTORY/a/skills" &&
	git -C st-a config skills.source "$TRASH_DIRECTORY/a/src" &&
	git -C st-a config bus.heartbeat 3600 &&
	printf "# User\n\n- Name: Ada\n" >a.md
'

# 1. Hub current (or behind): the tool goes on, 0.
for tool in $TOOLS; do
	test_expect_success "hub current: $tool exits 0, its work on the hub" '
		prepare $tool &&
		test_expect_code 0 run $tool &&
		shows $tool delivered &&
		landed hub.git $tool &&
		test "$(tip st-a)" = "$(tip hub.git)" &&
		test "$(queued)" = 0 &&
		clean
	'
done

# 2. Hub away: at the sync the tool goes on from the station, 75; a tool
# that writes commits its work there, and the hub is not tried again for
# the push: the next command that syncs delivers it (a beat, the next
# bus-sync).  bus-send and bus-ack meet the hub first at the push (one
# connection): their work is committed, 75, the same.
for tool in $TOOLS; do
	test_expect_success "hub away: $tool goes on from the station, 75; the next sync delivers" '
		prepare $tool fetch &&
		before=$(tip st-a) &&
		hub=$(tip hub.git) &&
		mv hub.git hub.away &&
		{ run $tool; echo $? >code; } &&
		mv hub.away hub.git &&
		echo 75 >expect && test_cmp expect code &&
		case $tool in
		send|ack) ;;
		*) grep "going on from the station" err ;;
		esac &&
		shows $tool queued &&
		test "$(tip hub.git)" = "$hub" &&
		case $tool in
		recv|status)
			test "$(tip st-a)" = "$before" ;;
		*)
			grep "the work is committed here and the next command that syncs pushes it" err &&
			landed st-a $tool &&
			! landed hub.git $tool ;;
		esac &&
		clean &&
		case $tool in
		sync) bus-sync -C st-a -q ;;
		*) bus-recv -C st-a -q -f id >/dev/null ;;
		esac &&
		landed hub.git $tool &&
		test "$(tip st-a)" = "$(tip hub.git)" &&
		test "$(queued)" = 0
	'
done

# 3. Station busy: another command holds the lock for longer than
# bus.lockTimeout: the tool stops, 75, and nothing changes.
test_expect_success 'station busy: a lock timeout of one second' '
	git -C st-a config bus.lockTimeout 1
'

# busy TOOL: run TOOL while another command holds the lock of st-a;
# it stops, 75, and neither the station nor the hub moved.
busy () {
	prepare $1 fetch &&
	before=$(tip st-a) &&
	hub=$(tip hub.git) &&
	skills_tip >skills.before &&
	cp a.md a.md.before &&
	hold &&
	{ run $1; echo $? >code; } &&
	release &&
	echo 75 >expect && test_cmp expect code &&
	grep "another bus command has held the station for 1 seconds" err &&
	test "$(tip st-a)" = "$before" &&
	test "$(tip hub.git)" = "$hub" &&
	test_cmp a.md.before a.md &&
	clean
}

for tool in send recv ack status sync profile; do
	test_expect_success "station busy: $tool exits 75 and changes nothing" '
		busy $tool &&
		test_must_be_empty out
	'
done

test_expect_success 'station busy: skills exits 75, the station and the bus hub unchanged' '
	busy skills
'

# skills-sync --notify takes the station's lock before it pushes the
# skills: meeting a held lock, it stops before any work (once it
# pushed first, said "pushed mine", and only then stopped).
test_expect_success 'station busy: skills stops before it changes anything' '
	test_must_be_empty out &&
	skills_tip >skills.after &&
	test_cmp skills.before skills.after
'

# And so no notice is lost: the next run pushes the skills and tells
# the others (once the push happened without a notice, and the next
# run found nothing to push and told no one).
test_expect_success 'station busy: skills loses no notice; the next run tells the others' '
	skills-sync -C st-a --notify >out &&
	if ! git -C hub.git grep -q -e "skills updated: $(skills_tip)" \
		main -- inbox-b/
	then
		echo "no skills message on the hub names $(skills_tip)" &&
		false
	fi
'

test_expect_success 'station busy: the lock free again, all queued is delivered' '
	git -C st-a config --unset bus.lockTimeout &&
	bus-recv -C st-a -q -f id >/dev/null &&
	test "$(queued)" = 0
'

# 4. The hub refuses a queued commit (too big for its bus.maxSize): the
# tool sets it aside under refs/bus/refused/, does its own work all the
# same, 65.  Each tool meets a fresh refused commit of its own.
test_expect_success 'hub refusing: the hub takes at most 400 bytes a message' '
	git -C hub.git config bus.maxSize 400
'

# refusing TOOL: run TOOL in st-a, where a commit the hub refuses is
# queued; its status in ./code.  The commit is set aside, the hub has
# the rest, and TOOL did its work.
refusing () {
	prepare $1 fetch &&
	(cd st-a && bus-send --no-push b "$BIG") >big &&
	refused_refs >before &&
	{ run $1; echo $? >code; } &&
	grep "the hub refused the push" err &&
	grep "larger than 400 bytes" err &&
	refused_refs >after &&
	comm -13 before after >new &&
	test $(wc -l <new) -eq 1 &&
	git -C st-a cat-file -e "$(cat new):inbox-b/$(cat big).json" &&
	! git -C hub.git cat-file -e "main:inbox-b/$(cat big).json" &&
	shows $1 delivered &&
	landed hub.git $1 &&
	test "$(tip st-a)" = "$(tip hub.git)" &&
	test "$(queued)" = 0 &&
	clean
}

for tool in send recv ack status sync profile; do
	test_expect_success "hub refusing a queued commit: $tool sets it aside, 65, and does its work" '
		refusing $tool &&
		echo 65 >expect && test_cmp expect code &&
		if test $tool = status; then
			test "$(status_of "$(cat big)")" = refused
		fi
	'
done

test_expect_success 'hub refusing a queued commit: skills sets it aside and does its work' '
	refusing skills &&
	test "$(cat code)" != 0
'

# skills-sync reports a refusal as the others do, 65 (its main() once
# turned any status of the --notify part into 75).
test_expect_success 'hub refusing a queued commit: skills exits 65' '
	echo 65 >expect && test_cmp expect code
'

# 5. Outcomes add up: the worst of them, 65 then 75 then 1 then 0.
test_expect_success 'adds up: bus-recv --wait 1 with nothing arriving exits 1' '
	ids=$(bus-recv -C st-a -f id) &&
	if test -n "$ids"; then bus-ack -C st-a $ids; fi &&
	test_expect_code 1 bus-recv -C st-a --wait 1 >out &&
	test_must_be_empty out
'

test_expect_success 'adds up: the hub away beats nothing arriving: 75' '
	mv hub.git hub.away &&
	{ bus-recv -C st-a --wait 1 >out 2>err; echo $? >code; } &&
	mv hub.away hub.git &&
	echo 75 >expect && test_cmp expect code &&
	test_must_be_empty out &&
	grep "going on from the station" err
'

test_expect_success 'adds up: a refused commit beats nothing arriving: 65' '
	(cd st-a && bus-send --no-push b "$BIG") >big &&
	{ bus-recv -C st-a --wait 1 >out 2>err; echo $? >code; } &&
	echo 65 >expect && test_cmp expect code &&
	test_must_be_empty out &&
	grep "larger than 400 bytes" err &&
	test "$(queued)" = 0
'

# A refusal met at the first sync is not forgotten when a message
# arrives during the wait: the worst outcome is 65 (tool_wait() once
# set the status back to 0 whenever the hub moved).
test_expect_success 'adds up: a refused commit, then a message arriving: still 65' '
	(cd st-a && bus-send --no-push b "$BIG") >big &&
	refused_refs >before || exit 1
	(bus-recv -C st-a --wait 20 >out 2>err; echo $? >code) &
	waiter=$! &&
	n=0 &&
	while refused_refs >after && cmp -s before after; do
		test $n -lt 200 || { kill $waiter; exit 1; }
		sleep 0.1
		n=$((n + 1))
	done &&
	(cd st-b && bus-send a "arrives") >msg &&
	wait $waiter &&
	grep "\"id\":\"$(cat msg)\"" out &&
	echo 65 >expect && test_cmp expect code
'

test_done
