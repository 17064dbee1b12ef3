#!/bin/sh
test_description='profile-merge: profiles merged by facts'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'set up three versions of a profile' '
	printf "# User\n\n- Name: Ada\n- Timezone: UTC\n- likes tea\n- has a cat\n" >base.md &&
	printf "# User\n\n- Name: Ada\n- Timezone: Europe/Paris\n- likes tea with milk\n- has a cat\n" >ours.md &&
	printf "# User\n\n- Name: Ada\n- Timezone: UTC\n- likes tea\n- prefers short answers\n\n# Work\n\nWrites C at work.\n" >theirs.md
'

test_expect_success 'three-way: each side'"'"'s additions kept, removals honoured' '
	profile-merge base.md ours.md theirs.md >out 2>err &&
	cat >expect <<-\EOF &&
	# User

	- Name: Ada
	- Timezone: Europe/Paris
	- likes tea with milk
	- prefers short answers

	# Work

	Writes C at work.
	EOF
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'merging the result again with either side changes nothing' '
	profile-merge base.md out theirs.md >again &&
	test_cmp out again &&
	profile-merge base.md out ours.md >again &&
	test_cmp out again &&
	profile-merge ours.md ours.md ours.md >same &&
	test_cmp ours.md same
'

test_expect_success 'a Key: value changed on both sides keeps ours and says so' '
	printf "# User\n\n- Name: Ada\n- Timezone: Asia/Tokyo\n- has a cat\n" >t2.md &&
	profile-merge base.md ours.md t2.md >out 2>err &&
	grep "^- Timezone: Europe/Paris$" out &&
	! grep Tokyo out &&
	echo "profile-merge: kept ours \"Timezone: Europe/Paris\", not theirs \"Timezone: Asia/Tokyo\"" >expect &&
	test_cmp expect err &&
	profile-merge -q base.md ours.md t2.md >out 2>err &&
	test_must_be_empty err
'

test_expect_success 'the conflict shows each fact as its author wrote it, on one line' '
	printf "# User\n- **TimeZone**:  Europe/Paris\n  (summer: CEST)\n" >o2.md &&
	profile-merge base.md o2.md t2.md >out 2>err &&
	echo "profile-merge: kept ours \"**TimeZone**: Europe/Paris (summer: CEST)\", not theirs \"Timezone: Asia/Tokyo\"" >expect &&
	test_cmp expect err
'

test_expect_success 'a Key: value changed on one side only takes that value' '
	profile-merge base.md base.md t2.md >out &&
	grep "^- Timezone: Asia/Tokyo$" out
'

test_expect_success 'the same fact in other words becomes one' '
	printf "# User\n" >b3.md &&
	printf "# User\n- Likes **green tea**.\n- speaks French\n" >o3.md &&
	printf "# User\n- likes green tea\n- speaks French and German\n- the user speaks fluent french language\n" >t3.md &&
	profile-merge b3.md o3.md t3.md >out &&
	cat >expect <<-\EOF &&
	# User
	- Likes **green tea**.
	- speaks French and German
	- the user speaks fluent french language
	EOF
	test_cmp expect out
'

test_expect_success 'one-word facts are not swallowed by longer ones' '
	printf "# Food\n" >b4.md &&
	printf "# Food\n- tea\n" >o4.md &&
	printf "# Food\n- tea ceremonies bore her\n" >t4.md &&
	profile-merge b4.md o4.md t4.md >out &&
	grep "^- tea$" out && grep "^- tea ceremonies bore her$" out
'

test_expect_success 'a section removed on one side and untouched on the other is gone' '
	printf "# A\n- a1\n\n# B\n- b1\n" >b5.md &&
	printf "# A\n- a1\n\n# B\n- b1\n" >o5.md &&
	printf "# A\n- a1\n- a2\n" >t5.md &&
	profile-merge b5.md o5.md t5.md >out &&
	! grep "^# B" out && grep "^- a2$" out
'

test_expect_success 'sections keep our order; new ones follow in theirs'"'"'' '
	printf "" >b6.md &&
	printf "# Z\n- z\n\n# A\n- a\n" >o6.md &&
	printf "# A\n- a\n\n# N2\n- n2\n\n# N1\n- n1\n" >t6.md &&
	profile-merge b6.md o6.md t6.md | grep "^#" >heads &&
	printf "# Z\n# A\n# N2\n# N1\n" >expect &&
	test_cmp expect heads
'

test_expect_success 'blank lines under a heading stay where the author put them' '
	printf "# User\n\n- a\n" >b9.md &&
	printf "# User\n\n- a\n- o\n" >o9.md &&
	printf "# User\n\n- z\n- a\n\n# Work\n\n- w1\n- w2\n\n# Empty\n\n" >t9.md &&
	printf "# User\n\n- a\n- o\n\n# Empty\n\n# Last\n- l\n" >o10.md &&
	printf "# User\n\n- a\n\n# Empty\n\n- e\n\n# Last\n- l\n" >t10.md &&
	profile-merge b9.md o9.md t9.md >out &&
	cat >expect <<-\EOF &&
	# User

	- z
	- a
	- o

	# Work

	- w1
	- w2

	# Empty

	EOF
	test_cmp expect out &&
	profile-merge b9.md o10.md t10.md >out &&
	cat >expect <<-\EOF &&
	# User

	- a
	- o

	# Empty

	- e

	# Last
	- l
	EOF
	test_cmp expect out
'

test_expect_success 'front matter and code fences are whole facts' '
	printf -- "---\ntitle: me\n---\n# Code\n\`\`\`\n# not a heading\n- not an item\n\`\`\`\n" >b7.md &&
	cp b7.md o7.md &&
	{ cat b7.md && printf -- "- a real item\n"; } >t7.md &&
	profile-merge b7.md o7.md t7.md >out &&
	test $(grep -c "^---$" out) -eq 2 &&
	grep "^# not a heading$" out && grep "^- a real item$" out
'

test_expect_success 'CRLF profiles and a missing final newline merge cleanly' '
	printf "# U\r\n- a\r\n" >b8.md &&
	printf "# U\r\n- a\r\n- b" >o8.md &&
	printf "# U\r\n- a\r\n- c\r\n" >t8.md &&
	profile-merge b8.md o8.md t8.md >out &&
	printf "# U\r\n- a\r\n- c\r\n- b" >expect &&
	test_cmp expect out
'

test_expect_success 'no conflict markers, ever' '
	for f in out *.md; do ! grep -E "^(<<<<<<<|=======|>>>>>>>)" "$f" || exit 1; done
'

test_expect_success '--union merges any number of files without a base' '
	printf "# User\n- likes tea\n" >u1.md &&
	printf "# User\n- likes tea with milk\n- has a cat\n" >u2.md &&
	printf "# Work\n- writes C\n" >u3.md &&
	profile-merge --union -o union.md u1.md u2.md u3.md &&
	cat >expect <<-\EOF &&
	# User
	- likes tea with milk
	- has a cat

	# Work
	- writes C
	EOF
	test_cmp expect union.md &&
	profile-merge --union union.md u1.md u2.md u3.md >again &&
	test_cmp union.md again
'

test_expect_success 'stdin and errors' '
	profile-merge base.md - theirs.md <ours.md >out &&
	grep "^- prefers short answers$" out &&
	test_expect_code 66 profile-merge base.md no-such.md theirs.md 2>err &&
	grep "no-such.md" err &&
	printf "\377\376" >bad.md &&
	test_expect_code 65 profile-merge base.md bad.md theirs.md &&
	test_expect_code 64 profile-merge base.md ours.md &&
	test_expect_code 64 profile-merge --driver a b
'

test_expect_success 'an external merger: its result taken when sane' '
	cat >merger <<-\EOF &&
	#!/bin/sh
	printf "# Merged by hand\n- %s\n" "$(basename "$3")"
	EOF
	chmod +x merger &&
	profile-merge --merger "./merger --unused-flag" base.md ours.md theirs.md \
		>out 2>err &&
	grep "^# Merged by hand$" out && grep "^- bus-merge" out &&
	test_must_be_empty err
'

test_expect_success 'an external merger that fails, times out or talks nonsense is not trusted' '
	printf "#!/bin/sh\nexit 3\n" >fails && chmod +x fails &&
	profile-merge --merger ./fails base.md ours.md theirs.md >out 2>err &&
	grep "the merger exited 3; using the built-in merge" err &&
	grep "^- prefers short answers$" out &&
	printf "#!/bin/sh\nsleep 30\n" >slow && chmod +x slow &&
	BUS_MERGER_TIMEOUT=1 profile-merge --merger ./slow base.md ours.md theirs.md >out 2>err &&
	grep "ran past 1 seconds" err &&
	printf "#!/bin/sh\nprintf \"<<<<<<< ours\\\\n\"\n" >markers && chmod +x markers &&
	profile-merge --merger ./markers base.md ours.md theirs.md >out 2>err &&
	grep "conflict markers" err &&
	printf "#!/bin/sh\nprintf \"\\\\377\"\n" >binary && chmod +x binary &&
	profile-merge --merger ./binary base.md ours.md theirs.md >out 2>err &&
	grep "not UTF-8" err &&
	printf "#!/bin/sh\n:\n" >silent && chmod +x silent &&
	profile-merge --merger ./silent base.md ours.md theirs.md >out 2>err &&
	grep "printed nothing" err &&
	profile-merge --merger ./no-such-merger base.md ours.md theirs.md >out 2>err &&
	grep "using the built-in merge" err &&
	profile-merge --merger "./merger \"unclosed" base.md ours.md theirs.md >out 2>err &&
	grep "unclosed quote" err
'

test_expect_success 'a merger that times out is killed with all it started' '
	cat >forker <<-EOF &&
	#!/bin/sh
	(sleep 2; echo late >"$TRASH_DIRECTORY/marker") &
	sleep 30
	EOF
	chmod +x forker &&
	BUS_MERGER_TIMEOUT=1 profile-merge --merger ./forker \
		base.md ours.md theirs.md >out 2>err &&
	grep "^profile-merge: the merger ran past 1 seconds; using the built-in merge$" err &&
	profile-merge base.md ours.md theirs.md >expect &&
	test_cmp expect out &&
	sleep 2 &&
	! test -e marker
'

test_expect_success 'a profile-merge killed takes its merger along' '
	cat >forker2 <<-EOF &&
	#!/bin/sh
	echo \$\$ >"$TRASH_DIRECTORY/merger.pid"
	(sleep 3; echo late >"$TRASH_DIRECTORY/marker2") &
	sleep 30
	EOF
	chmod +x forker2 &&
	rm -f merger.pid || exit 1
	profile-merge --merger ./forker2 base.md ours.md theirs.md \
		>out 2>err &
	pm=$!

	for i in 1 2 3 4 5 6 7 8 9 10; do
		test -s merger.pid && break
		sleep 1
	done &&
	test -s merger.pid &&
	kill -TERM $pm &&
	test_expect_code 143 wait $pm &&
	sleep 4 &&
	! test -e marker2 &&
	! kill -0 $(cat merger.pid) 2>/dev/null
'

test_expect_success 'git merge in a station merges USER.md by facts' '
	bus-init --hub hub.git &&
	bus-init -a a hub.git st-a >/dev/null &&
	cd st-a &&
	mkdir -p user-sync &&
	printf "# User\n- likes tea\n" >user-sync/USER.md &&
	git add user-sync && git commit -q -m base &&
	git checkout -q -b other &&
	printf "# User\n- likes tea\n- has a cat\n" >user-sync/USER.md &&
	git commit -q -am "theirs: a cat" &&
	git checkout -q main &&
	printf "# User\n- likes tea with milk\n" >user-sync/USER.md &&
	git commit -q -am "ours: milk" &&
	git merge -q --no-edit other &&
	cat >expect <<-\EOF &&
	# User
	- likes tea with milk
	- has a cat
	EOF
	test_cmp expect user-sync/USER.md &&
	! grep "<<<<<<<" user-sync/USER.md
'

test_done
