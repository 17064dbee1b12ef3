#!/bin/sh
test_description='bus-init: hubs and stations'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'bus-init --hub makes a bare hub with the first commit' '
	bus-init --hub hub.git &&
	test "$(git -C hub.git rev-parse --is-bare-repository)" = true &&
	hub_files >files &&
	printf ".gitattributes\nREADME.md\n" >expect &&
	test_cmp expect files &&
	git -C hub.git show main:.gitattributes >attrs &&
	echo "user-sync/USER.md merge=profile" >expect &&
	test_cmp expect attrs &&
	test "$(git -C hub.git config receive.denyNonFastForwards)" = true &&
	test "$(git -C hub.git config receive.denyDeletes)" = true
'

test_expect_success 'bus-init --hub again changes nothing' '
	before=$(hub_tip) &&
	bus-init --hub hub.git &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'bus-init --hub refuses a directory that is not a bare repository' '
	mkdir plain && git -C plain init -q &&
	test_expect_code 64 bus-init --hub plain 2>err &&
	grep "not a bare git repository" err
'

test_expect_success 'a station: clone, agent, merge driver, inbox and archive pushed' '
	bus-init -a alice hub.git st-alice >out &&
	echo "$TRASH_DIRECTORY/st-alice" >expect &&
	test_cmp expect out &&
	test "$(git -C st-alice config bus.agent)" = alice &&
	test "$(git -C st-alice config merge.profile.driver)" = \
		"profile-merge --driver %O %A %B %P" &&
	hub_files >files &&
	grep "^inbox-alice/.keep$" files &&
	grep "^archive-alice/.keep$" files &&
	test -f st-alice/inbox-alice/.keep &&
	git -C st-alice status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'running it again is harmless' '
	before=$(hub_tip) &&
	bus-init -a alice hub.git st-alice >out &&
	test "$(hub_tip)" = "$before" &&
	git -C hub.git log --oneline main >log &&
	test $(wc -l <log) -eq 2
'

test_expect_success 'the directory defaults to the name git clone gives' '
	bus-init -a bob hub.git >out &&
	echo "$TRASH_DIRECTORY/hub" >expect &&
	test_cmp expect out &&
	test "$(git -C hub config bus.agent)" = bob
'

test_expect_success 'a bare station' '
	bus-init --bare -a carol hub.git st-carol.git >out &&
	test "$(git -C st-carol.git rev-parse --is-bare-repository)" = true &&
	hub_files >files &&
	grep "^inbox-carol/.keep$" files
'

test_expect_success 'a bad agent name is refused and nothing is made' '
	test_expect_code 64 bus-init -a Dave hub.git st-dave 2>err &&
	grep "Dave: not an agent name" err &&
	! test -d st-dave
'

test_expect_success 'usage' '
	test_expect_code 64 bus-init 2>err &&
	test_expect_code 64 bus-init -a x &&
	test_expect_code 64 bus-init --hub &&
	bus-init -h >out &&
	grep "^usage: bus-init" out
'

test_done
