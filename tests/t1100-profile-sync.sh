#!/bin/sh
test_description='profile-merge --sync: stations converge on one profile'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'set up a hub, three stations and their own profiles' '
	setup_bus a b c >/dev/null &&
	printf "# User\n\n- Name: Ada\n- likes tea\n" >a.md &&
	printf "# User\n\n- likes tea with milk\n- has a cat\n\n# Work\n\nWrites C.\n" >b.md &&
	printf "# User\n\n- Name: Ada\n- prefers short answers\n" >c.md &&
	git -C st-c config bus.profile "$TRASH_DIRECTORY/c.md"
'

test_expect_success 'after each station synced twice, all hold the same bytes' '
	for round in 1 2; do
		profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
		profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" &&
		profile-merge -C st-c --sync || exit 1
	done &&
	git -C hub.git show main:user-sync/USER.md >hub.md &&
	test_cmp hub.md a.md && test_cmp hub.md b.md && test_cmp hub.md c.md
'

test_expect_success 'the merged profile has every fact once, no markers' '
	grep -c "^- Name: Ada$" hub.md >n && test "$(cat n)" = 1 &&
	grep "^- likes tea with milk$" hub.md &&
	! grep "^- likes tea$" hub.md &&
	grep "^- has a cat$" hub.md &&
	grep "^- prefers short answers$" hub.md &&
	grep "^Writes C.$" hub.md &&
	! grep -E "^(<<<<<<<|=======|>>>>>>>)" hub.md
'

test_expect_success 'a fact deleted locally stays deleted everywhere' '
	grep -v "has a cat" a.md >tmp && mv tmp a.md &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" &&
	profile-merge -C st-c --sync &&
	! grep "has a cat" b.md && ! grep "has a cat" c.md &&
	git -C hub.git show main:user-sync/USER.md >hub.md &&
	test_cmp hub.md b.md
'

test_expect_success 'a sync with nothing new changes nothing, commits nothing' '
	before=$(hub_tip) &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'one line says what a sync did; -q says nothing' '
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" >out 2>err &&
	echo "$TRASH_DIRECTORY/a.md unchanged, shared profile unchanged" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	echo "- likes maps" >>a.md &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" >out &&
	echo "$TRASH_DIRECTORY/a.md unchanged, shared profile pushed" >expect &&
	test_cmp expect out &&
	profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" >out &&
	echo "$TRASH_DIRECTORY/b.md updated, shared profile unchanged" >expect &&
	test_cmp expect out &&
	echo "- likes trains" >>b.md &&
	profile-merge -C st-b -n --sync "$TRASH_DIRECTORY/b.md" >out &&
	echo "$TRASH_DIRECTORY/b.md unchanged, shared profile committed, not pushed" >expect &&
	test_cmp expect out &&
	profile-merge -C st-b -q --sync "$TRASH_DIRECTORY/b.md" >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	git -C hub.git show main:user-sync/USER.md >hub.md &&
	grep "^- likes trains$" hub.md
'

test_expect_success 'the previous local file is kept in the station, not beside the file' '
	echo "- learns Go" >>b.md &&
	profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" &&
	cp a.md a.before &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	grep "learns Go" a.md &&
	test_cmp a.before st-a/.git/bus-profile-prev &&
	ls >files &&
	! grep "~$" files
'

test_expect_success 'a Key: value two stations set: the last keeps its value, the commit records the other' '
	echo "- Editor: vi" >>a.md &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" &&
	sed "s/^- Editor: vi$/- Editor: Emacs/" a.md >tmp && mv tmp a.md &&
	sed "s/^- Editor: vi$/- Editor: **Helix**/" b.md >tmp && mv tmp b.md &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" >out 2>err &&
	echo "profile-merge: kept ours \"Editor: **Helix**\", not theirs \"Editor: Emacs\"" >expect &&
	test_cmp expect err &&
	git -C hub.git log -1 --format=%B main -- user-sync/USER.md >msg &&
	cat >expect <<-\EOF &&
	profile-merge: the shared profile

	kept ours "Editor: **Helix**", not theirs "Editor: Emacs"

	EOF
	test_cmp expect msg &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	grep "^- Editor: \*\*Helix\*\*$" a.md
'

test_expect_success 'a section new to a station that changed too keeps its blank lines' '
	printf "\n# Pets\n\n- a cat\n- a dog\n" >>b.md &&
	profile-merge -C st-b --sync "$TRASH_DIRECTORY/b.md" &&
	echo "- likes rain" >>a.md &&
	profile-merge -C st-a --sync "$TRASH_DIRECTORY/a.md" &&
	grep "^- likes rain$" a.md &&
	sed -n "/^# Pets$/,\$p" a.md >pets &&
	printf "# Pets\n\n- a cat\n- a dog\n" >expect &&
	test_cmp expect pets
'

test_expect_success '--notify sends a profile message to every other agent' '
	echo "- drinks water" >>c.md &&
	profile-merge -C st-c --notify --sync &&
	(cd st-a && bus-recv --type profile -f id) >ids &&
	test $(wc -l <ids) -eq 1 &&
	(cd st-b && bus-recv --type profile -f id) >ids &&
	test $(wc -l <ids) -eq 1 &&
	git -C hub.git show --name-only --format= main >changed &&
	grep "^user-sync/USER.md$" changed && grep "^inbox-a/" changed
'

test_expect_success 'no profile named: a usage error' '
	test_expect_code 64 profile-merge -C st-a --sync 2>err &&
	grep "no profile" err
'

test_expect_success 'the work trees show the shared profile, nothing left behind' '
	for s in a b c; do
		git -C st-$s status --porcelain >status &&
		test_must_be_empty status || exit 1
	done
'

test_done
