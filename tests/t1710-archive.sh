#!/bin/sh
test_description='bus-recv --archive, --since, --until and --grep'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# old DAY N [BODY]: the bytes of message N from a to b, archived on DAY.
old () {
	printf '{"id":"%sT120000Z-a-%012d","ts":"%sT12:00:00Z","from":"a","to":"b","type":"note","body":"%s"}\n' \
		"$(echo "$1" | tr -d -)" "$2" "$1" "${3:-old message $2}"
}

test_expect_success 'set up: b has read three notes, and older days by hand' '
	setup_bus a b >/dev/null &&
	bus-init -q --bare -a c hub.git st-c &&
	bus-init -q --full -a b hub.git st-full &&
	bus-send -C st-a -F subject="Build report" b "all green" >ids &&
	bus-send -C st-a b "the deploy is at noon" >>ids &&
	printf "line one\nneedle at start\n" | bus-send -C st-a b >>ids &&
	bus-send -C st-a b "still unread" >unread &&
	head -n 3 ids | bus-ack -C st-b - &&
	rm -rf raw && git clone -q hub.git raw &&
	mkdir -p raw/archive-b/2025-01-01 raw/archive-b/2025-06-15 &&
	old 2025-01-01 1 >raw/archive-b/2025-01-01/20250101T120000Z-a-000000000001.json &&
	old 2025-06-15 2 >raw/archive-b/2025-06-15/20250615T120000Z-a-000000000002.json &&
	old 2025-03-03 3 "in the flat layout" >raw/archive-b/20250303T120000Z-a-000000000003.json &&
	old 2025-06-15 4 "a\\u0000needle after a NUL" >raw/archive-b/2025-06-15/20250615T120000Z-a-000000000004.json &&
	git -C raw add -A && git -C raw commit -q -m old &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	bus-recv -C st-b >/dev/null
'

test_expect_success '--archive: every read message, oldest first, as its file holds it' '
	bus-recv -C st-b --archive -f id >out &&
	{
		echo 20250101T120000Z-a-000000000001 &&
		echo 20250303T120000Z-a-000000000003 &&
		echo 20250615T120000Z-a-000000000002 &&
		echo 20250615T120000Z-a-000000000004 &&
		sort ids	# one second: by id
	} >expect &&
	test_cmp expect out &&
	bus-recv -C st-b --archive >json &&
	git -C hub.git show "main:archive-b/2025-06-15/20250615T120000Z-a-000000000002.json" >expect &&
	sed -n 3p json >got &&
	test_cmp expect got
'

test_expect_success '--archive from another agent, a bare and a full station' '
	bus-recv -C st-b --archive -f id >expect &&
	bus-recv -C st-c -a b --archive -f id >out &&
	test_cmp expect out &&
	bus-recv -C st-full --archive -f id >out &&
	test_cmp expect out
'

test_expect_success '--since and --until: a day, a time, an age' '
	bus-recv -C st-b -n --archive --since 2025-03-03 --until 2025-06-15 -f id >out &&
	printf "%s\n" 20250303T120000Z-a-000000000003 20250615T120000Z-a-000000000002 \
		20250615T120000Z-a-000000000004 >expect &&
	test_cmp expect out &&
	bus-recv -C st-b -n --archive --until 2025-06-15T11:59:59Z -f id >out &&
	printf "%s\n" 20250101T120000Z-a-000000000001 20250303T120000Z-a-000000000003 >expect &&
	test_cmp expect out &&
	bus-recv -C st-b -n --archive --since 1d -f id >out &&
	sort ids >expect &&
	test_cmp expect out &&
	bus-recv -C st-b -n --since 1d -f id >out &&
	test_cmp unread out
'

test_expect_success 'days outside --since and --until are not read at all' '
	rm -rf raw && git clone -q hub.git raw &&
	mkdir -p raw/archive-b/2024-12-31 &&
	echo "{broken" >raw/archive-b/2024-12-31/20241231T120000Z-a-000000000009.json &&
	git -C raw add -A && git -C raw commit -q -m broken &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	bus-recv -C st-b --archive --since 2025-01-01 -f id >out 2>err &&
	test_must_be_empty err &&
	bus-recv -C st-b -n --archive -f id >out 2>err &&
	grep "2024-12-31/20241231T120000Z-a-000000000009.json: " err &&
	git -C raw rm -q -r archive-b/2024-12-31 && git -C raw commit -q -m gone &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	bus-recv -C st-b >/dev/null
'

test_expect_success '--grep: an ERE over the body, line by line, and the subject' '
	bus-recv -C st-b -n --archive --grep "^needle" -f id >out &&
	sed -n 3p ids >expect &&
	test_cmp expect out &&
	bus-recv -C st-b -n --archive --grep "one.needle" -f id >out &&
	test_must_be_empty out &&
	bus-recv -C st-b -n --archive --grep "^Build report\$" -f id >out &&
	head -n 1 ids >expect &&
	test_cmp expect out &&
	bus-recv -C st-b -n --archive -i --grep "build REPORT" -f id >out &&
	head -n 1 ids >expect &&
	test_cmp expect out &&
	bus-recv -C st-b -n --archive --grep "deploy|flat" -f id >out &&
	printf "%s\n" 20250303T120000Z-a-000000000003 "$(sed -n 2p ids)" >expect &&
	test_cmp expect out
'

test_expect_success '--grep sees past a NUL in a body' '
	bus-recv -C st-b -n --archive --grep "needle after" -f id >out &&
	echo 20250615T120000Z-a-000000000004 >expect &&
	test_cmp expect out
'

test_expect_success '--grep without --archive filters the unread messages' '
	bus-send -C st-a b "another unread" >/dev/null &&
	bus-recv -C st-b --grep "still" -f id >out &&
	test_cmp unread out
'

test_expect_success 'a regex that does not compile is 64, and nothing is printed' '
	test_expect_code 64 bus-recv -C st-b -n --archive --grep "a(" >out 2>err &&
	test_must_be_empty out &&
	grep "^bus-recv: --grep a(: " err
'

test_expect_success 'bad bounds and --archive --wait are usage errors' '
	test_expect_code 64 bus-recv -C st-b -n --since yesterday 2>err &&
	grep "since yesterday: not a time" err &&
	test_expect_code 64 bus-recv -C st-b -n --until 2025-02-30 2>err &&
	test_expect_code 64 bus-recv -C st-b -n --archive --wait 1 2>err &&
	grep "archive is not waited for" err
'

test_expect_success '-f path --archive: the files of a full station; 64 in a sparse or bare one' '
	bus-recv -C st-full --archive -f path >paths &&
	test $(wc -l <paths) -eq 7 &&
	while read p; do test -f "$p" || exit 1; done <paths &&
	test_expect_code 64 bus-recv -C st-b -n --archive -f path 2>err &&
	grep "bus-init --full" err &&
	test_expect_code 64 bus-recv -C st-c -a b -n --archive -f path
'

test_expect_success '--archive of an agent that has read nothing is empty, of no agent 67' '
	bus-recv -C st-a --archive >out &&
	test_must_be_empty out &&
	test_expect_code 67 bus-recv -C st-a -a nobody -n --archive 2>err &&
	grep "nobody: no such agent" err
'

test_done
