#!/bin/sh
test_description='bus-status: what happened to sent messages, with evidence'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# field KEY: the first value of KEY in each line of JSON on stdin, ""
# when null (the keys and values here hold no quotes)
field () {
	sed -n "s/\"$1\":/\n/; s/^[^\n]*\n//; s/^null.*//p; s/^\"\([^\"]*\)\".*/\1/p"
}

test_expect_success 'set up a hub and three stations' '
	setup_bus a b c >/dev/null
'

test_expect_success 'a message sent while the hub is away is queued' '
	mv hub.git hub.away &&
	test_expect_code 75 bus-send -C st-a b "while away" >id 2>err &&
	test_expect_code 75 bus-status -C st-a "$(cat id)" >out 2>err &&
	grep "going on from the station" err &&
	echo queued >expect &&
	field state <out >got &&
	test_cmp expect got &&
	echo "inbox-b/$(cat id).json" >expect &&
	field path <out >got &&
	test_cmp expect got &&
	bus-status -C st-a -n "$(cat id)" >out &&
	grep "\"state\":\"queued\"" out
'

test_expect_success '... and delivered once bus-sync has pushed it' '
	mv hub.away hub.git &&
	bus-sync -C st-a >/dev/null &&
	bus-status -C st-a -n "$(cat id)" >out &&
	echo delivered >expect &&
	field state <out >got &&
	test_cmp expect got &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	! grep "\"read\"" out
'

test_expect_success 'read: moved to the archive, with the commit and its time' '
	bus-recv -C st-b -f id >/dev/null &&
	bus-ack -C st-b "$(cat id)" &&
	bus-status -C st-a "$(cat id)" >out &&
	echo read >expect &&
	field state <out >got &&
	test_cmp expect got &&
	path=$(field path <out) &&
	git -C hub.git cat-file -e "main:$path" &&
	case $path in archive-b/????-??-??/*.json) ;; *) false ;; esac &&
	git -C hub.git log --format=%H --diff-filter=A main -- "$path" >expect &&
	field commit <out >got &&
	test_cmp expect got &&
	TZ=UTC git -C hub.git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ \
		--format=%ad main -- "$path" >expect &&
	field time <out >got &&
	test_cmp expect got
'

test_expect_success 'acked: an ack with re=ID, its id and time' '
	bus-send -C st-a b "please ack" >id2 &&
	bus-recv -C st-b -f id >/dev/null &&
	bus-ack -C st-b --reply "$(cat id2)" &&
	bus-status -C st-a "$(cat id2)" >out &&
	echo acked >expect &&
	field state <out >got &&
	test_cmp expect got &&
	bus-recv -C st-a --type ack >acks &&
	{ json-get id <acks && echo; } >expect &&
	sed "s/.*\"ack\"://" out | field id >got &&
	test_cmp expect got &&
	{ json-get ts <acks && echo; } >expect &&
	sed "s/.*\"ack\"://" out | field ts >got &&
	test_cmp expect got &&
	grep "\"read\":{\"commit\":\"[0-9a-f]*\"" out
'

test_expect_success 'an ack found while the message is still unread' '
	bus-send -C st-a b "answer without reading" >id3 &&
	bus-send -C st-b -t ack -r "$(cat id3)" a "seen it" >ack3 &&
	bus-status -C st-a "$(cat id3)" >out &&
	grep "\"state\":\"acked\"" out &&
	grep "\"path\":\"inbox-b/$(cat id3).json\"" out &&
	grep "\"ack\":{\"id\":\"$(cat ack3)\"" out &&
	! grep "\"read\"" out
'

test_expect_success 'an ack in the sender archive is still found' '
	bus-ack -C st-a - <ack3 &&
	bus-status -C st-a -n "$(cat id3)" >out &&
	grep "\"ack\":{\"id\":\"$(cat ack3)\"" out
'

test_expect_success 'an ack from anyone but the recipient is no evidence' '
	bus-send -C st-a b "to b only" >id4 &&
	bus-send -C st-c -t ack -i third-ack -r "$(cat id4)" a "not mine" \
		>/dev/null &&
	bus-status -C st-a "$(cat id4)" >out &&
	grep "\"state\":\"delivered\"" out
'

test_expect_success 'an ack in the older flat archive layout is found' '
	bus-send -C st-a b "flat" >id5 &&
	bus-recv -C st-b -f id >/dev/null &&
	# the archives are outside a station'"'"'s sparse checkout
	mkdir -p st-a/archive-a &&
	cat >"st-a/archive-a/flat-ack-1.json" <<-EOF &&
	{"id":"flat-ack-1","ts":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","from":"b","to":"a","type":"ack","body":"","re":"$(cat id5)"}
	EOF
	git -C st-a add --sparse archive-a/flat-ack-1.json &&
	now="$(date +%s) +0000" &&
	GIT_COMMITTER_DATE=$now GIT_AUTHOR_DATE=$now \
		git -C st-a commit -q -m "an old-style archived ack" &&
	bus-status -C st-a "$(cat id5)" >out &&
	grep "\"ack\":{\"id\":\"flat-ack-1\"" out
'

test_expect_success 'a custom id is found through the record of sends' '
	bus-send -C st-a -i my-custom-1 c "custom" >/dev/null &&
	grep "	c	my-custom-1	note\$" st-a/.git/bus-sent &&
	bus-status -C st-a my-custom-1 >out &&
	grep "\"to\":\"c\"" out &&
	grep "\"state\":\"delivered\"" out
'

test_expect_success 'and without the record, read, in its archive day' '
	bus-recv -C st-c -f id >/dev/null &&
	bus-ack -C st-c my-custom-1 &&
	mv st-a/.git/bus-sent sent.keep &&
	bus-status -C st-a my-custom-1 >out &&
	mv sent.keep st-a/.git/bus-sent &&
	grep "\"state\":\"read\"" out &&
	grep "\"path\":\"archive-c/....-..-../my-custom-1.json\"" out
'

test_expect_success 'another station of the bus can ask about the same ids' '
	bus-status -C st-c "$(cat id)" "$(cat id2)" >out &&
	field state <out >got &&
	printf "read\nacked\n" >expect &&
	test_cmp expect got
'

test_expect_success 'ids come from stdin with -, NUL-separated with -z' '
	cat id id2 | bus-status -C st-a -n - | field id >got &&
	cat id id2 >expect &&
	test_cmp expect got &&
	printf "%s\0%s\0" "$(cat id2)" "$(cat id)" |
		bus-status -C st-a -n -z - | field id >got &&
	cat id2 id >expect &&
	test_cmp expect got
'

test_expect_success 'an unknown id is 66, a malformed one 65; the rest answered' '
	test_expect_code 66 bus-status -C st-a -n "$(cat id)" no-such-id \
		>out 2>err &&
	grep "no-such-id: no such message" err &&
	field id <out >got &&
	test_cmp id got &&
	test_expect_code 65 bus-status -C st-a -n "bad/id" 2>err &&
	grep "bad/id: not a message id" err
'

test_expect_success 'without ids: recent sends, oldest first, and every agent' '
	bus-status -C st-a >out &&
	grep "^{\"id\"" out | field id >got &&
	cut -f3 st-a/.git/bus-sent >expect &&
	test_cmp expect got &&
	grep "^{\"agent\"" out | field agent >got &&
	printf "a\nb\nc\n" >expect &&
	test_cmp expect got &&
	for x in a b c; do
		n=$(git -C hub.git ls-tree --name-only main "inbox-$x/" |
			grep -c "json\$" || :) &&
		grep "{\"agent\":\"$x\",\"unread\":$n," out || return 1
	done
'

test_expect_success '--since leaves out older sends; --type picks one type' '
	bus-status -C st-a -n --since 2999-01-01 >out &&
	! grep "^{\"id\"" out &&
	grep "^{\"agent\"" out &&
	bus-status -C st-a -n --since 1d --type ack >out &&
	! grep "^{\"id\"" out &&
	test_expect_code 64 bus-status -C st-a --since yesterday 2>err &&
	grep "not a time, a day or an age" err
'

test_expect_success 'heartbeats: the presence ref of each agent' '
	git -C st-b config bus.heartbeat 3600 &&
	bus-sync -C st-b >/dev/null &&
	bus-status -C st-a >out &&
	git -C hub.git cat-file blob refs/bus/presence/b:presence.json >doc &&
	{ json-get ts <doc && echo; } >expect &&
	grep "^{\"agent\":\"b\"" out | sed "s/.*\"heartbeat\"://" |
		field heartbeat >got &&
	test_cmp expect got
'

# An older station sends a heartbeat message to every other agent.
test_expect_success 'heartbeat messages: left out of the sends, the last one counts' '
	(cd st-c && bus-send -t heartbeat a "" && bus-send -t heartbeat b "") \
		>beats &&
	bus-status -C st-a >out &&
	# the later of the two: they may be a second apart
	git -C hub.git cat-file blob "main:inbox-b/$(tail -n 1 beats).json" |
		json-get ts >expect && echo >>expect &&
	grep "^{\"agent\":\"c\"" out | sed "s/.*\"heartbeat\"://" |
		field heartbeat >got &&
	test_cmp expect got &&
	bus-status -C st-c -n --type heartbeat >out &&
	grep -c "\"type\":\"heartbeat\"" out >count &&
	echo 2 >expect &&
	test_cmp expect count &&
	bus-status -C st-c -n >out &&
	! grep "\"type\":\"heartbeat\"" out
'

test_expect_success 'many messages and many days in one answer' '
	i=0 && while [ $i -lt 80 ]; do
		printf "{\"to\":\"c\",\"body\":\"%d\"}\n" $i
		i=$((i + 1))
	done | bus-send -C st-a --batch >many &&
	bus-recv -C st-c -f id | bus-ack -C st-c - &&
	bus-status -C st-a --since 90d >list &&
	for m in $(cat many); do
		grep "{\"id\":\"$m\",.*\"state\":\"read\",.*\"commit\":\"[0-9a-f]" list ||
			return 1
	done &&
	grep "^{\"agent\":\"c\",\"unread\":0,\"seen\":\"" list &&
	bus-status -C st-a -n $(cat many) >out &&
	test $(grep -c "\"state\":\"read\"" out) = 80
'

test_expect_success '-f text: one table line per message and per agent' '
	bus-status -C st-a -n -f text "$(cat id)" "$(cat id2)" >out &&
	head -1 out >got &&
	grep "^STATE  *ID  *TO  *EVIDENCE\$" got &&
	grep "^read  *$(cat id)  *b  *read ....-..-..T..:..:..Z ([0-9a-f]*)\$" out &&
	grep "^acked  *$(cat id2)  *b  *read .*, acked .* (.*-b-.*)\$" out &&
	bus-status -C st-a -n -f text >out &&
	grep "^AGENT  *UNREAD  *SEEN  *HEARTBEAT  *STATE\$" out &&
	grep "^b  *[0-9][0-9]*  *....-..-..T..:..:..Z  *....-..-..T..:..:..Z  *-\$" out
'

test_expect_success 'the station is left clean and the hub unchanged' '
	before=$(hub_tip) &&
	bus-status -C st-a >/dev/null &&
	test "$(hub_tip)" = "$before" &&
	git -C st-a status --porcelain >status &&
	test_must_be_empty status
'

# The git commands a lookup runs do not depend on how much is archived.
test_expect_success 'a lookup runs the same git commands at 0 and 500 archived' '
	bus-init --hub big.git >/dev/null &&
	bus-init -a a big.git big-a >/dev/null &&
	bus-init -a b big.git big-b >/dev/null &&
	bus-send -C big-a b "first" >bid &&
	bus-recv -C big-b -f id | bus-ack -C big-b - &&
	bus-status -C big-a -v "$(cat bid)" >out 2>/dev/null &&
	grep "\"state\":\"read\"" out &&
	bus-status -C big-a -n -v "$(cat bid)" 2>small >/dev/null &&
	i=0 && while [ $i -lt 500 ]; do
		printf "{\"to\":\"b\",\"body\":\"%d\"}\n" $i
		i=$((i + 1))
	done | bus-send -C big-a --batch >ids &&
	bus-recv -C big-b -f id | bus-ack -C big-b - &&
	bus-status -C big-a -v "$(cat bid)" >/dev/null 2>&1 &&
	bus-status -C big-a -n -v "$(cat bid)" 2>big >/dev/null &&
	sed "s/[0-9a-f]\{40,\}/OID/g; s/since=[^ ]*/since/" small >expect &&
	sed "s/[0-9a-f]\{40,\}/OID/g; s/since=[^ ]*/since/" big >got &&
	grep "^+ " got >got.cmds && grep "^+ " expect >expect.cmds &&
	grep "^+ git .* log " got.cmds &&
	wc -l <got.cmds >n.got && wc -l <expect.cmds >n.expect &&
	test_cmp n.expect n.got
'

test_expect_success 'bash completion offers the ids this station sent' '
	(cd st-a && bash -c ". \"$BUS_SRC_DIR/contrib/completion/git-bus.bash\" &&
		COMP_WORDS=(bus-status \"\"); COMP_CWORD=1; _bus_complete;
		echo \"\${COMPREPLY[*]}\"") >out &&
	grep -w "$(cat id2)" out &&
	grep -w my-custom-1 out
'

test_expect_success 'usage errors are 64' '
	test_expect_code 64 bus-status -C st-a -f yaml 2>err &&
	test_expect_code 64 bus-status -C st-a --type "Bad" 2>err &&
	test_expect_code 64 bus-status -C st-a --bogus 2>err
'

test_done
