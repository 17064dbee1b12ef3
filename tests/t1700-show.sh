#!/bin/sh
test_description='bus-show: any message by id, and its thread'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# msg ID TS FROM TO [RE]: a message file's bytes, canonical.
msg () {
	printf '{"id":"%s","ts":"%s","from":"%s","to":"%s","type":"note","body":"%s"%s}\n' \
		"$1" "$2" "$3" "$4" "body of $1" "${5:+,\"re\":\"$5\"}"
}

# plant MESSAGE...: commit the files raw/PATH=ID|TS|FROM|TO[|RE] and
# push them past the hub's hook.
plant () {
	rm -rf raw && git clone -q hub.git raw &&
	for _spec in "$@"; do
		_path=${_spec%%=*} _f=${_spec#*=}
		mkdir -p "raw/$(dirname "$_path")" &&
		(IFS="|"; set -- $_f; msg "$@") >"raw/$_path" || return 1
	done &&
	git -C raw add -A && git -C raw commit -q -m plant &&
	without_hub_hook git -C raw push -q origin HEAD:main
}

# chain N: N messages from a in raw/inbox-b/, each answering the one
# before; their ids, first to last, on stdout.
chain () {
	awk -v n="$1" 'BEGIN {
		q = "\""
		for (i = 1; i <= n; i++) {
			id = sprintf("20261205T000000Z-a-%012x", i)
			re = ""
			if (i > 1)
				re = sprintf(",%sre%s:%s20261205T000000Z-a-%012x%s",
				    q, q, q, i - 1, q)
			f = "raw/inbox-b/" id ".json"
			printf "{%sid%s:%s%s%s,%sts%s:%s2026-12-05T00:00:00Z%s," \
			    "%sfrom%s:%sa%s,%sto%s:%sb%s,%stype%s:%snote%s," \
			    "%sbody%s:%s%d%s%s}\n", q, q, q, id, q, q, q, q, q,
			    q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, i, q,
			    re >f
			close(f)
			print id
		}
	}'
}

test_expect_success 'set up: a asks b, b answers, a answers the answer' '
	setup_bus a b c >/dev/null &&
	bus-init -q --bare -a d hub.git st-d &&
	bus-init -q --full -a e hub.git st-e &&
	q=$(bus-send -C st-a b "is the build green?") &&
	r=$(bus-send -C st-b -r "$q" a "yes") &&
	rr=$(bus-send -C st-a -r "$r" b "thanks") &&
	echo "$q $r $rr" >ids
'

test_expect_success 'a message in an inbox, from another station, as its file holds it' '
	read q r rr <ids &&
	bus-show -C st-c "$q" >out &&
	git -C hub.git show "main:inbox-b/$q.json" >expect &&
	test_cmp expect out
'

test_expect_success 'an archived message, from a sparse, a bare and a full station' '
	read q r rr <ids &&
	bus-ack -C st-b "$q" &&
	day=$(echo "$q" | sed "s/^\(....\)\(..\)\(..\).*/\1-\2-\3/") &&
	git -C hub.git show "main:archive-b/$day/$q.json" >expect &&
	for st in st-c st-d st-e; do
		bus-show -C $st "$q" >out &&
		test_cmp expect out || return 1
	done
'

test_expect_success '-f id and -f text; the operand may be a file path' '
	read q r rr <ids &&
	bus-show -C st-c -f id "$r" "inbox-b/$rr.json" >out &&
	printf "%s\n%s\n" "$r" "$rr" >expect &&
	test_cmp expect out &&
	bus-show -C st-c -f text "$r" >out &&
	head -n 1 out >first &&
	grep "  b  note  $r  re $q\$" first &&
	grep "^    yes\$" out
'

test_expect_success 'ids from standard input, NUL-separated with -z, each once' '
	read q r rr <ids &&
	printf "%s\0%s\0%s\0" "$rr" "$q" "$rr" | bus-show -C st-c -z -f id - >out &&
	printf "%s\0%s\0" "$rr" "$q" >expect &&
	test_cmp expect out
'

test_expect_success 'a string that is not an id is 65, and nothing is printed' '
	read q r rr <ids &&
	for bad in "a b" "../x" "-x" "inbox-b/notjson" ""; do
		test_expect_code 65 bus-show -C st-c "$q" -- "$bad" >out 2>err &&
		test_must_be_empty out &&
		grep -e "not a message id" -e "not the path of a message" err ||
		return 1
	done
'

test_expect_success 'an id found nowhere is 66; the others are printed' '
	read q r rr <ids &&
	test_expect_code 66 bus-show -C st-c -f id "$q" 20261201T000000Z-a-000000000000 nohere >out 2>err &&
	printf "%s\n" "$q" >expect &&
	test_cmp expect out &&
	grep "nohere: no such message on the bus" err &&
	grep "20261201T000000Z-a-000000000000: no such message" err
'

test_expect_success 'an id the station has not fetched: found after a sync, not with -n' '
	new=$(bus-send -C st-a c "new") &&
	test_expect_code 66 bus-show -C st-b -n "$new" 2>err &&
	bus-show -C st-b -f id "$new" >out &&
	echo "$new" >expect &&
	test_cmp expect out
'

test_expect_success 'a custom id, archived, is found in its day without a day in its name' '
	bus-send -C st-a -i my-own-id b "custom" >/dev/null &&
	bus-ack -C st-b my-own-id &&
	bus-show -C st-c -f id my-own-id >out &&
	echo my-own-id >expect &&
	test_cmp expect out
'

test_expect_success 'a message in the flat archive of the older layout' '
	plant "archive-c/20250102T030405Z-a-0000000000aa.json=20250102T030405Z-a-0000000000aa|2025-01-02T03:04:05Z|a|c" &&
	bus-show -C st-d -f id 20250102T030405Z-a-0000000000aa >out &&
	echo 20250102T030405Z-a-0000000000aa >expect &&
	test_cmp expect out
'

test_expect_success 'a file that is not a valid message is reported, 65' '
	rm -rf raw && git clone -q hub.git raw &&
	echo "{not json" >raw/inbox-c/20261201T000001Z-a-0000000000bb.json &&
	ln -s ../inbox-b/.keep raw/inbox-c/20261201T000002Z-a-0000000000cc.json &&
	git -C raw add -A && git -C raw commit -q -m bad &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	test_expect_code 65 bus-show -C st-a 20261201T000001Z-a-0000000000bb >out 2>err &&
	test_must_be_empty out &&
	grep "inbox-c/20261201T000001Z-a-0000000000bb.json: " err &&
	test_expect_code 65 bus-show -C st-a 20261201T000002Z-a-0000000000cc >out 2>err &&
	test_must_be_empty out &&
	grep "0000000000cc.json: not a regular file" err &&
	git -C raw rm -q inbox-c/20261201T000001Z-a-0000000000bb.json \
		inbox-c/20261201T000002Z-a-0000000000cc.json &&
	git -C raw commit -q -m "bad gone" &&
	without_hub_hook git -C raw push -q origin HEAD:main
'

test_expect_success '-T: the whole thread, from any of its messages, in thread order' '
	read q r rr <ids &&
	other=$(bus-send -C st-c -r "$q" b "me too") &&
	printf "%s\n%s\n%s\n%s\n" "$q" "$r" "$rr" "$other" >expect &&
	for id in "$q" "$r" "$rr" "$other"; do
		bus-show -C st-d -T -f id "$id" >out &&
		test_cmp expect out || return 1
	done &&
	bus-show -C st-a -T -f id "$rr" "$q" >out &&
	test_cmp expect out
'

test_expect_success '-T: a reply after what it answers, whatever the clocks say' '
	# the reply 10 s older than its question, siblings in one second
	plant "inbox-a/20261202T100010Z-b-000000000001.json=20261202T100010Z-b-000000000001|2026-12-02T10:00:10Z|b|a" \
	      "inbox-b/20261202T100000Z-a-000000000002.json=20261202T100000Z-a-000000000002|2026-12-02T10:00:00Z|a|b|20261202T100010Z-b-000000000001" \
	      "inbox-b/20261202T100030Z-c-000000000004.json=20261202T100030Z-c-000000000004|2026-12-02T10:00:30Z|c|b|20261202T100010Z-b-000000000001" \
	      "inbox-b/20261202T100030Z-c-000000000003.json=20261202T100030Z-c-000000000003|2026-12-02T10:00:30Z|c|b|20261202T100000Z-a-000000000002" &&
	bus-show -C st-e -T -f id 20261202T100030Z-c-000000000004 >out &&
	cat >expect <<-EOF &&
	20261202T100010Z-b-000000000001
	20261202T100000Z-a-000000000002
	20261202T100030Z-c-000000000003
	20261202T100030Z-c-000000000004
	EOF
	test_cmp expect out
'

test_expect_success '-T: a cycle of replies is printed once round, from its oldest' '
	plant "inbox-a/20261203T000002Z-b-00000000000b.json=20261203T000002Z-b-00000000000b|2026-12-03T00:00:02Z|b|a|20261203T000001Z-a-00000000000a" \
	      "inbox-b/20261203T000001Z-a-00000000000a.json=20261203T000001Z-a-00000000000a|2026-12-03T00:00:01Z|a|b|20261203T000002Z-b-00000000000b" &&
	bus-show -C st-c -T -f id 20261203T000002Z-b-00000000000b >out &&
	printf "%s\n%s\n" 20261203T000001Z-a-00000000000a 20261203T000002Z-b-00000000000b >expect &&
	test_cmp expect out
'

test_expect_success '-T: a reply to an id that is nowhere starts its thread' '
	plant "inbox-a/20261204T000000Z-b-0000000000dd.json=20261204T000000Z-b-0000000000dd|2026-12-04T00:00:00Z|b|a|20261101T000000Z-x-0000000000ee" &&
	bus-show -C st-c -T -f id 20261204T000000Z-b-0000000000dd >out &&
	echo 20261204T000000Z-b-0000000000dd >expect &&
	test_cmp expect out
'

test_expect_success '-T: a chain of 10,000 replies, from its last and from its first' '
	rm -rf raw && git clone -q hub.git raw &&
	chain 10000 >chain &&
	git -C raw add -A && git -C raw commit -q -m chain &&
	git -C raw push -q origin HEAD:main &&
	bus-show -C st-c -T -f id 20261205T000000Z-a-000000002710 >out &&
	test_cmp chain out &&
	bus-show -C st-c -n -T -f id 20261205T000000Z-a-000000000001 >out &&
	test_cmp chain out
'

test_expect_success '-T: the index follows the branch, and is made again when lost or damaged' '
	read q r rr <ids &&
	late=$(bus-send -C st-b -r "$rr" a "late") &&
	bus-show -C st-c -T -f id "$q" >out &&
	test "$(tail -n 2 out | head -n 1)" = "$late" || {
		grep -n "$late" out; false; } &&
	idx=$(git -C st-c rev-parse --absolute-git-dir)/bus-threads &&
	rm "$idx" &&
	bus-show -C st-c -n -T -f id "$q" >again &&
	test_cmp out again &&
	printf "bus-threads 1 zz\n>%s x\n" "$q" >"$idx" &&
	bus-show -C st-c -n -T -f id "$q" >again &&
	test_cmp out again &&
	# made from a tree that is not in the station (any more)
	printf "bus-threads 1 %s\n" "$(printf "%040d" 0 | tr 0 f)" >"$idx" &&
	bus-show -C st-c -n -T -f id "$q" >again &&
	test_cmp out again
'

test_expect_success 'a message whose day was collected is shown from history, with where' '
	read q r rr <ids &&
	day=$(echo "$q" | sed "s/^\(....\)\(..\)\(..\).*/\1-\2-\3/") &&
	rm -rf raw && git clone -q hub.git raw &&
	git -C raw rm -q -r "archive-b/$day" &&
	# made days after the message, as bus-gc is
	GIT_COMMITTER_DATE="$(($(date +%s) + 86400)) +0000" \
		git -C raw commit -q -m "collect $day" &&
	gc=$(git -C raw rev-parse HEAD) &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	bus-recv -C st-c >/dev/null &&
	bus-show -C st-c "$q" >out 2>err &&
	git -C hub.git show "$gc^:archive-b/$day/$q.json" >expect &&
	test_cmp expect out &&
	grep "$q: collected from main by commit $(echo $gc | cut -c1-12) at " err &&
	bus-show -C st-c -q "$q" >out 2>err &&
	test_must_be_empty err
'

test_done
