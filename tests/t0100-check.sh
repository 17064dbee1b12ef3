#!/bin/sh
test_description='bus-check FILE...: message files judged against the protocol'
. "$BUS_SRC_DIR/tests/test-lib.sh"

ID=20261128T101500Z-a-0123456789ab
TS=2026-11-28T10:15:00Z

# msg ID TO [TS]: a valid message in canonical form.
msg () {
	printf '{"id":"%s","ts":"%s","from":"a","to":"%s","type":"note","body":"hi"}\n' \
		"$1" "${3:-$TS}" "$2"
}

test_expect_success 'set up a station-like tree' '
	mkdir -p bus/inbox-b bus/archive-b/2026-11-28 bus/inbox-c &&
	msg $ID b >bus/inbox-b/$ID.json &&
	msg old b >bus/archive-b/old.json &&
	msg day b >bus/archive-b/2026-11-28/day.json &&
	msg $ID c >bus/inbox-c/$ID.json
'

test_expect_success 'valid files: exit 0, nothing printed' '
	cd bus &&
	bus-check inbox-b/$ID.json archive-b/old.json \
		archive-b/2026-11-28/day.json inbox-c/$ID.json >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'a trailing comma: 65 and path: reason' '
	cd bus &&
	printf "{\"id\":\"x\",}" >inbox-b/x.json &&
	test_expect_code 65 bus-check inbox-b/x.json 2>err &&
	echo "inbox-b/x.json: invalid JSON: trailing comma at offset 10" >expect &&
	test_cmp expect err
'

test_expect_success 'every broken field rule is a line of its own' '
	cd bus &&
	printf "{\"id\":\"y\",\"ts\":\"2026-11-28\",\"from\":\"A\",\"to\":\"b\",\"type\":\"note\"}" \
		>inbox-b/y.json &&
	test_expect_code 65 bus-check inbox-b/y.json 2>err &&
	cat >expect <<-\EOF &&
	inbox-b/y.json: ts: "2026-11-28" is not YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real UTC time
	inbox-b/y.json: from: "A" is not an agent name [a-z0-9][a-z0-9-]{0,31}
	inbox-b/y.json: body: missing
	EOF
	test_cmp expect err
'

test_expect_success 'the path rules: id, owner and archive day' '
	cd bus &&
	msg $ID b >inbox-c/other.json &&
	msg late b 2026-11-29T00:00:00Z >archive-b/2026-11-28/late.json &&
	test_expect_code 65 bus-check inbox-c/other.json \
		archive-b/2026-11-28/late.json 2>err &&
	cat >expect <<-EOF &&
	inbox-c/other.json: id: "$ID" does not match the file name "other.json"
	inbox-c/other.json: to: "b" but the file is in inbox-c/
	archive-b/2026-11-28/late.json: ts: "2026-11-29T00:00:00Z" is not on the archive day 2026-11-28
	EOF
	test_cmp expect err
'

test_expect_success '.keep holds an inbox or archive; elsewhere it is refused' '
	mkdir -p k/inbox-b k/archive-b k/other &&
	: >k/inbox-b/.keep && : >k/archive-b/.keep && : >k/other/.keep &&
	bus-check k/inbox-b/.keep k/archive-b/.keep &&
	test_expect_code 65 bus-check k/other/.keep 2>err &&
	grep "^k/other/.keep: file name is not" err
'

test_expect_success 'a file outside the bus directories is refused' '
	msg $ID b >loose.json &&
	test_expect_code 65 bus-check loose.json 2>err &&
	grep "^loose.json: not in an inbox-<agent>/" err
'

test_expect_success 'good and bad together: only the bad are reported' '
	cd bus &&
	test_expect_code 65 bus-check inbox-b/$ID.json inbox-b/x.json \
		archive-b/old.json 2>err &&
	test $(wc -l <err) -eq 1 &&
	grep "^inbox-b/x.json: " err
'

test_expect_success 'a missing file: 66, or 65 when another is invalid' '
	cd bus &&
	test_expect_code 66 bus-check inbox-b/nope.json inbox-b/$ID.json 2>err &&
	grep "^inbox-b/nope.json: open: No such file or directory" err &&
	test_expect_code 65 bus-check inbox-b/nope.json inbox-b/x.json 2>err &&
	test $(wc -l <err) -eq 2
'

test_expect_success '- reads the paths from stdin, one a line' '
	cd bus &&
	printf "inbox-b/%s.json\n\narchive-b/old.json\n" $ID |
		bus-check - 2>err &&
	test_must_be_empty err &&
	printf "inbox-b/%s.json\ninbox-b/x.json\n" $ID |
		test_expect_code 65 bus-check - 2>err &&
	grep "^inbox-b/x.json: " err
'

test_expect_success '-z reads NUL-separated paths, as git ls-files -z gives' '
	cd bus &&
	git init -q . &&
	: >inbox-b/.keep &&
	git add inbox-b/$ID.json inbox-b/.keep archive-b/old.json \
		inbox-c/$ID.json &&
	git ls-files -z -- "inbox-*" "archive-*" >list &&
	test $(tr "\0" "\n" <list | wc -l) -eq 4 &&
	bus-check -z - <list 2>err &&
	test_must_be_empty err &&
	printf "inbox-b/x.json\0" | test_expect_code 65 bus-check -z - 2>err &&
	grep "^inbox-b/x.json: " err
'

test_expect_success '-q says nothing, the exit status tells' '
	cd bus &&
	test_expect_code 65 bus-check -q inbox-b/x.json >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success '-m sets the size limit' '
	cd bus &&
	bus-check -m 200 inbox-b/$ID.json &&
	test_expect_code 65 bus-check -m 50 inbox-b/$ID.json 2>err &&
	grep "larger than 50 bytes" err &&
	bus-check -m 1k inbox-b/$ID.json &&
	test_expect_code 64 bus-check -m 0 inbox-b/$ID.json &&
	test_expect_code 64 bus-check -m lots inbox-b/$ID.json
'

test_expect_success 'bus.maxSize of the repository is the default limit' '
	cd bus &&
	git config bus.maxSize 60 &&
	test_expect_code 65 bus-check inbox-b/$ID.json 2>err &&
	grep "larger than 60 bytes" err &&
	bus-check -m 65536 inbox-b/$ID.json &&
	git config bus.maxSize 64k &&
	bus-check inbox-b/$ID.json &&
	git config bus.maxSize nonsense &&
	test_expect_code 64 bus-check inbox-b/$ID.json 2>err &&
	grep "bus.maxSize: \"nonsense\" is not a size" err &&
	git config --unset bus.maxSize
'

test_expect_success 'the default limit is 65536 bytes' '
	mkdir -p big/inbox-b &&
	{
		printf "{\"id\":\"big\",\"ts\":\"%s\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"" $TS &&
		head -c 65400 /dev/zero | tr "\0" x &&
		printf "\"}\n"
	} >big/inbox-b/big.json &&
	bus-check big/inbox-b/big.json &&
	{
		printf "{\"id\":\"big\",\"ts\":\"%s\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"" $TS &&
		head -c 65500 /dev/zero | tr "\0" x &&
		printf "\"}\n"
	} >big/inbox-b/big.json &&
	test_expect_code 65 bus-check big/inbox-b/big.json 2>err &&
	grep "larger than 65536 bytes" err
'

test_expect_success '-C changes directory first' '
	bus-check -C bus inbox-b/$ID.json &&
	test_expect_code 66 bus-check -C no-such-dir inbox-b/$ID.json 2>err &&
	grep "^bus-check: no-such-dir: " err
'

test_expect_success 'a hostile file name is printed terminal-safe' '
	mkdir -p "evil/inbox-b" &&
	esc=$(printf "\033") &&
	printf "{" >"evil/inbox-b/x${esc}[2J.json" &&
	test_expect_code 65 bus-check evil/inbox-b/* 2>err &&
	! grep -q "$esc" err &&
	grep -F "x\\x1b[2J.json" err
'

test_expect_success 'a NUL byte and text after the object are refused' '
	cd bus &&
	{ msg $ID b | tr -d "\n" && printf "\0junk"; } >inbox-b/$ID.json &&
	test_expect_code 65 bus-check inbox-b/$ID.json 2>err &&
	grep "NUL byte at offset" err &&
	{ msg $ID b && echo "{}"; } >inbox-b/$ID.json &&
	test_expect_code 65 bus-check inbox-b/$ID.json 2>err &&
	grep "text after the JSON value" err
'

test_expect_success 'a file that does not exist is 66, wherever its path' '
	test_expect_code 66 bus-check nosuch.json 2>err &&
	grep "nosuch.json: .*No such file" err &&
	! grep "not in an inbox" err &&
	test_expect_code 66 bus-check bus/inbox-b/nosuch.json
'

test_expect_success '--as DIR checks a draft where it is meant to go' '
	msg $ID b >draft.json &&
	test_expect_code 65 bus-check draft.json 2>err &&
	grep "not in an inbox" err &&
	bus-check --as inbox-b draft.json &&
	bus-check --as archive-b/2026-11-28 draft.json &&
	test_expect_code 65 bus-check --as inbox-c draft.json 2>err &&
	grep "draft.json: to: \"b\" but the file is in inbox-c/" err &&
	printf "{}" >empty.json &&
	test_expect_code 65 bus-check --as inbox-b empty.json &&
	test_expect_code 64 bus-check --as inbox-b --tree
'

test_expect_success 'usage: no operand or a bad option is 64, -h is 0' '
	test_expect_code 64 bus-check 2>err &&
	grep "^usage: bus-check" err &&
	test_expect_code 64 bus-check -Q x 2>err &&
	bus-check -h >out &&
	grep "^usage: bus-check" out
'

test_expect_success '--tree works in $BUS_DIR when -C is not given' '
	bus-init --hub bd-hub.git &&
	bus-init -a a bd-hub.git bd-a >/dev/null &&
	mkdir -p elsewhere && cd elsewhere &&
	BUS_DIR=../bd-a bus-check --tree main &&
	test_must_fail env BUS_DIR= GIT_CEILING_DIRECTORIES="$TRASH_DIRECTORY" \
		bus-check --tree main 2>err &&
	grep -F "main: not a commit" err
'

test_expect_success '--tree names a path with a tab or a slash in a record, and goes on' '
	blob=$(echo hi | git -C bd-a hash-object -w --stdin) &&
	printf "100644 blob %s\tab\tcd\0100644 blob %s\tx/100644 blob y\0" \
	    $blob $blob >entries &&
	tree=$(git -C bd-a mktree -z --missing <entries 2>/dev/null ||
	    echo none) &&
	if test "$tree" = none; then
		# git refuses a slash in a tree entry: the tab alone, then
		printf "100644 blob %s\tab\tcd\0" $blob >entries &&
		tree=$(git -C bd-a mktree -z <entries)
	fi &&
	c=$(git -C bd-a commit-tree -m tab $tree) &&
	test_expect_code 65 bus-check -C bd-a --tree $c 2>err &&
	grep -F "ab" err
'

test_done
