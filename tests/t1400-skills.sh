#!/bin/sh
test_description='skills-sync: skills directories and the canonical skills repository'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# The canonical skills repository is skills.git; machine A has the clone
# a/skills and the skills directory a/src, machine B b/skills and b/src.

skills_tip () {
	git -C "$TRASH_DIRECTORY/skills.git" rev-parse main
}

skills_files () {
	git -C "$TRASH_DIRECTORY/skills.git" ls-tree -r --name-only main
}

# clean DIR: the clone DIR is at its branch, nothing left behind.
clean () {
	git -C "$1" status --porcelain >"$TRASH_DIRECTORY/status" &&
	test_must_be_empty "$TRASH_DIRECTORY/status" &&
	test "$(git -C "$1" rev-parse HEAD)" = "$(git -C "$1" rev-parse main)"
}

# state DIR: every file below DIR with its mode and bytes, symlinks too.
state () {
	(cd "$1" && find . | LC_ALL=C sort | while read -r f; do
		if [ -h "$f" ]; then
			echo "$f -> $(readlink "$f")"
		elif [ -f "$f" ]; then
			echo "$f $(ls -l "$f" | cut -c1-10) $(cksum <"$f")"
		else
			echo "$f/"
		fi
	done)
}

test_expect_success 'set up a skills hub, two machines and their skills' '
	git init -q --bare skills.git &&
	git clone -q skills.git seed 2>/dev/null &&
	printf "generated-*/\n__pycache__/\n" >seed/.gitignore &&
	echo "the skills" >seed/README &&
	git -C seed add . && git -C seed commit -q -m start &&
	git -C seed push -q origin main &&
	git clone -q skills.git a/skills &&
	git clone -q skills.git b/skills &&
	mkdir -p a/src/mine/lib a/src/mine/__pycache__ a/src/generated-cache \
		a/src/private a/src/notes a/src/.system b/src bundled/helper &&
	echo "# Mine" >a/src/mine/SKILL.md &&
	printf "#!/bin/sh\necho run\n" >a/src/mine/run.sh &&
	chmod +x a/src/mine/run.sh &&
	echo "notes" >a/src/mine/lib/notes.txt &&
	echo "compiled" >a/src/mine/__pycache__/x.pyc &&
	ln -s "$TRASH_DIRECTORY/bundled/helper/SKILL.md" a/src/mine/link.md &&
	echo "# Generated" >a/src/generated-cache/SKILL.md &&
	echo "# Private" >a/src/private/SKILL.md &&
	echo "private/" >a/src/.skillsignore &&
	echo "not a skill" >a/src/notes/todo.txt &&
	echo "# System" >a/src/.system/SKILL.md &&
	echo "# Helper" >bundled/helper/SKILL.md &&
	ln -s "$TRASH_DIRECTORY/bundled/helper" a/src/helper
'

test_expect_success 'push: only the user-authored skill goes, as git would add it' '
	skills-sync -R a/skills a/src >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	.gitignore
	README
	mine/SKILL.md
	mine/lib/notes.txt
	mine/run.sh
	EOF
	skills_files >actual &&
	test_cmp expect actual &&
	git -C skills.git ls-tree main mine/run.sh >mode &&
	grep "^100755 " mode &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp a/src/mine/SKILL.md got &&
	clean a/skills &&
	test -x a/skills/mine/run.sh
'

test_expect_success '-v says what was left out, and why' '
	skills-sync -v -R a/skills a/src >out 2>err &&
	test_must_be_empty out &&
	grep "^skills-sync: left out .*/a/src/helper (symlink)$" err &&
	grep "^skills-sync: left out .*/a/src/mine/link.md (symlink)$" err &&
	grep "^skills-sync: left out .*/a/src/generated-cache/ (ignored)$" err &&
	grep "^skills-sync: left out .*/a/src/private/ (ignored)$" err &&
	grep "^skills-sync: left out .*/a/src/mine/__pycache__/ (ignored)$" err &&
	grep "^+ git .* ls-files " err
'

test_expect_success 'nothing changed: nothing committed, nothing printed' '
	before=$(skills_tip) &&
	clone=$(git -C a/skills rev-parse main) &&
	skills-sync -R a/skills a/src >out &&
	test_must_be_empty out &&
	test "$(skills_tip)" = "$before" &&
	test "$(git -C a/skills rev-parse main)" = "$clone"
'

test_expect_success 'pull: the skill installed, modes and bytes kept' '
	skills-sync -R b/skills --pull b/src >out &&
	echo "installed mine" >expect &&
	test_cmp expect out &&
	test_cmp a/src/mine/SKILL.md b/src/mine/SKILL.md &&
	test_cmp a/src/mine/lib/notes.txt b/src/mine/lib/notes.txt &&
	test -x b/src/mine/run.sh &&
	! test -e b/src/mine/link.md &&
	ls -a b/src >list &&
	printf ".\n..\nmine\n" >expect &&
	test_cmp expect list &&
	skills-sync -R b/skills --pull b/src >out &&
	test_must_be_empty out &&
	clean b/skills
'

test_expect_success 'a skill not changed here does not push over a newer one' '
	echo "- step two" >>b/src/mine/SKILL.md &&
	rm b/src/mine/lib/notes.txt &&
	skills-sync -R b/skills b/src >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	newer=$(skills_tip) &&
	skills-sync -R a/skills a/src >out &&
	echo "behind mine (newer on the hub)" >expect &&
	test_cmp expect out &&
	test "$(skills_tip)" = "$newer" &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp b/src/mine/SKILL.md got
'

test_expect_success 'pull takes a newer version of an unchanged skill; what is not synced stays' '
	skills-sync -R a/skills --pull a/src >out &&
	echo "updated mine" >expect &&
	test_cmp expect out &&
	test_cmp b/src/mine/SKILL.md a/src/mine/SKILL.md &&
	! test -e a/src/mine/lib/notes.txt &&
	test -h a/src/mine/link.md &&
	test -f a/src/mine/__pycache__/x.pyc &&
	test -h a/src/helper &&
	test -f a/src/private/SKILL.md &&
	ls -a a/src >list &&
	! grep skills-sync list &&
	clean a/skills
'

test_expect_success 'a skill changed on both machines: a conflict, the hub keeps its version' '
	echo "- from a" >>a/src/mine/SKILL.md &&
	echo "- from b" >>b/src/mine/SKILL.md &&
	skills-sync -R b/skills b/src >out &&
	hub=$(skills_tip) &&
	test_expect_code 65 skills-sync -R a/skills a/src >out 2>err &&
	echo "skipped mine (changed here and on the hub)" >expect &&
	test_cmp expect out &&
	clone=$(cd a/skills && pwd -P) &&
	cat >expect <<-EOF &&
	skills-sync: mine: changed here and on the hub; to take the hub'"'"'s version: skills-sync -R a/skills --pull --force a/src
	skills-sync: mine: or merge the hub'"'"'s ($clone/mine) into this one, then: skills-sync -R a/skills --force a/src
	EOF
	test_cmp expect err &&
	test "$(skills_tip)" = "$hub" &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp b/src/mine/SKILL.md got
'

test_expect_success 'pull keeps a skill modified here and one only here, and says so' '
	mkdir a/src/only-a &&
	echo "# Only on a" >a/src/only-a/SKILL.md &&
	cp a/src/mine/SKILL.md mine-a &&
	test_expect_code 65 skills-sync -R a/skills --pull a/src >out 2>err &&
	cat >expect <<-EOF &&
	skipped mine (changed here and on the hub)
	kept only-a (local only)
	EOF
	test_cmp expect out &&
	grep "mine: changed here and on the hub" err &&
	test_cmp mine-a a/src/mine/SKILL.md
'

test_expect_success 'pull --force takes the hub version of a conflicting skill' '
	skills-sync -R a/skills --pull --force a/src >out &&
	cat >expect <<-EOF &&
	updated mine (local changes replaced)
	kept only-a (local only)
	EOF
	test_cmp expect out &&
	test_cmp b/src/mine/SKILL.md a/src/mine/SKILL.md &&
	test -d a/src/only-a &&
	skills-sync -R a/skills a/src >out &&
	echo "pushed only-a" >expect &&
	test_cmp expect out
'

test_expect_success '--force on a push: this machine version wins a conflict' '
	echo "- a again" >>a/src/mine/SKILL.md &&
	echo "- b again" >>b/src/mine/SKILL.md &&
	skills-sync -R b/skills b/src >/dev/null &&
	test_expect_code 65 skills-sync -R a/skills a/src >/dev/null 2>&1 &&
	skills-sync -R a/skills --force a/src >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp a/src/mine/SKILL.md got &&
	skills-sync -R b/skills --pull --force b/src >/dev/null &&
	test_cmp a/src/mine/SKILL.md b/src/mine/SKILL.md
'

test_expect_success '--dry-run pushes nothing, commits nothing, writes nothing' '
	echo "- dry" >>a/src/mine/SKILL.md &&
	hub=$(skills_tip) &&
	git -C a/skills for-each-ref >refs.before &&
	git -C a/skills count-objects -v >objects.before &&
	state a/src >src.before &&
	skills-sync -R a/skills --dry-run a/src >out 2>err &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	echo "skills-sync: dry run: nothing changed" >expect &&
	test_cmp expect err &&
	skills-sync -q -R a/skills --dry-run a/src >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	test "$(skills_tip)" = "$hub" &&
	git -C a/skills for-each-ref >refs.after &&
	test_cmp refs.before refs.after &&
	git -C a/skills count-objects -v >objects.after &&
	test_cmp objects.before objects.after &&
	state a/src >src.after &&
	test_cmp src.before src.after &&
	clean a/skills &&
	ls a/skills/.git >gitdir &&
	! grep skills-sync gitdir
'

test_expect_success '--pull --dry-run installs and updates nothing' '
	skills-sync -R a/skills a/src >/dev/null &&
	git -C b/skills for-each-ref refs/skills-sync >refs.before &&
	state b/src >src.before &&
	skills-sync -R b/skills --pull --dry-run b/src >out 2>err &&
	echo "updated mine" >expect &&
	test_cmp expect out &&
	echo "skills-sync: dry run: nothing changed" >expect &&
	test_cmp expect err &&
	state b/src >src.after &&
	test_cmp src.before src.after &&
	git -C b/skills for-each-ref refs/skills-sync >refs.after &&
	test_cmp refs.before refs.after &&
	skills-sync -R b/skills --pull --dry-run new-dir >out &&
	cat >expect <<-EOF &&
	installed mine
	installed only-a
	EOF
	test_cmp expect out &&
	! test -e new-dir &&
	skills-sync -R b/skills --pull b/src >out &&
	test_cmp a/src/mine/SKILL.md b/src/mine/SKILL.md
'

test_expect_success 'pull keeps a skill changed only here; push sends it' '
	echo "- b only" >>b/src/mine/SKILL.md &&
	skills-sync -R b/skills --pull b/src >out &&
	echo "kept mine (changed here)" >expect &&
	test_cmp expect out &&
	grep "b only" b/src/mine/SKILL.md &&
	skills-sync -R b/skills b/src >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	skills-sync -R a/skills --pull a/src >out &&
	echo "updated mine" >expect &&
	test_cmp expect out
'

# racer: git, except that before the first push it has machine B push
# its skills, so that the push loses the race.
cat >racer <<EOS
#!/bin/sh
case " \$* " in
*" push "*)
	if ! test -e "$TRASH_DIRECTORY/raced"; then
		: >"$TRASH_DIRECTORY/raced"
		BUS_GIT= skills-sync -q -R "$TRASH_DIRECTORY/b/skills" \\
			"$TRASH_DIRECTORY/b/src" || exit 1
	fi ;;
esac
exec git "\$@"
EOS
chmod +x racer

test_expect_success 'a push that lost the race to a change of the same skill: that one a conflict, the rest pushed' '
	echo "- a races" >>a/src/mine/SKILL.md &&
	echo "- a also" >>a/src/only-a/SKILL.md &&
	echo "- b wins" >>b/src/mine/SKILL.md &&
	(BUS_GIT="$TRASH_DIRECTORY/racer" && export BUS_GIT &&
		test_expect_code 65 skills-sync -R a/skills a/src >out 2>err) &&
	test -e raced &&
	cat >expect <<-EOF &&
	skipped mine (changed here and on the hub)
	pushed only-a
	EOF
	test_cmp expect out &&
	grep "set aside as refs/skills-sync/unpushed/" err &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp b/src/mine/SKILL.md got &&
	git -C skills.git show main:only-a/SKILL.md >got &&
	test_cmp a/src/only-a/SKILL.md got &&
	clean a/skills &&
	skills-sync -R a/skills --pull --force a/src >out &&
	grep "^updated mine (local changes replaced)$" out &&
	skills-sync -R b/skills --pull b/src >/dev/null &&
	test_cmp a/src/mine/SKILL.md b/src/mine/SKILL.md
'

test_expect_success 'two directories: each has its own base' '
	mkdir -p a/src2/second &&
	echo "# Second" >a/src2/second/SKILL.md &&
	cp -R a/src/mine a/src2/mine &&
	skills-sync -R a/skills a/src a/src2 >out &&
	echo "pushed second" >expect &&
	test_cmp expect out &&
	echo "- only in src2" >>a/src2/mine/SKILL.md &&
	skills-sync -R a/skills a/src a/src2 >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	git -C a/skills for-each-ref refs/skills-sync/base >bases &&
	test $(wc -l <bases) -eq 2 &&
	skills-sync -R a/skills a/src >out &&
	echo "behind mine (newer on the hub)" >expect &&
	test_cmp expect out &&
	skills-sync -R a/skills --pull a/src >out &&
	cat >expect <<-EOF &&
	updated mine
	installed second
	EOF
	test_cmp expect out &&
	test_cmp a/src2/mine/SKILL.md a/src/mine/SKILL.md
'

test_expect_success 'set up a bus: three agents, skills settings in a station' '
	setup_bus a b c >/dev/null &&
	git -C st-a config skills.repo "$TRASH_DIRECTORY/a/skills" &&
	git -C st-a config skills.source "$TRASH_DIRECTORY/a/src"
'

test_expect_success '--notify: a skills message naming the commit to every other agent' '
	echo "- told" >>a/src/mine/SKILL.md &&
	skills-sync -C st-a --notify >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	tip=$(skills_tip) &&
	printf "skills updated: %s\nmine\n" "$tip" >expect &&
	for s in b c; do
		(cd st-$s && bus-recv --type skills) >msgs &&
		test $(wc -l <msgs) -eq 1 &&
		json-get body <msgs >body &&
		test_cmp expect body &&
		json-get from <msgs >from &&
		printf a >expect.from &&
		test_cmp expect.from from || exit 1
	done &&
	(cd st-a && bus-recv --type skills -f id) >mine &&
	test_must_be_empty mine
'

test_expect_success '--notify with nothing pushed sends nothing' '
	before=$(hub_tip) &&
	skills-sync -C st-a --notify >out &&
	test_must_be_empty out &&
	test "$(hub_tip)" = "$before"
'

test_expect_success '--notify with the bus out of reach: 75, the notice queued in the station' '
	echo "- told later" >>a/src/mine/SKILL.md &&
	mv hub.git hub.away &&
	test_expect_code 75 skills-sync -C st-a --notify >out 2>err &&
	mv hub.away hub.git &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	grep "the work is committed here" err &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp a/src/mine/SKILL.md got &&
	bus-sync -q -C st-a &&
	(cd st-b && bus-recv --type skills -f id) >ids &&
	test $(wc -l <ids) -eq 2 &&
	ls a/skills/.git >gitdir &&
	! grep skills-sync gitdir
'

# The two reaction lines of the README, run as they are written there.
test_expect_success 'the README lines react to skills and profile messages, then ack' '
	sed -n "s/^    \(ids=\$(bus-recv -q --type .*\)/\1/p" \
		"$BUS_SRC_DIR/README" >react.sh &&
	test $(wc -l <react.sh) -eq 2 &&
	git -C st-b config skills.repo "$TRASH_DIRECTORY/b/skills" &&
	git -C st-b config skills.target "$TRASH_DIRECTORY/b/react" &&
	mkdir b/react &&
	printf "# User\n- likes tea\n" >a.md &&
	printf "# User\n- works late\n" >b.md &&
	git -C st-b config bus.profile "$TRASH_DIRECTORY/b.md" &&
	profile-merge -C st-a --sync --notify "$TRASH_DIRECTORY/a.md" &&
	(cd st-b && bus-recv --type profile -f id) >profile.ids &&
	test $(wc -l <profile.ids) -eq 1 &&
	(cd st-b && sh -e "$TRASH_DIRECTORY/react.sh") &&
	test_cmp a/src/mine/SKILL.md b/react/mine/SKILL.md &&
	grep "likes tea" b.md && grep "works late" b.md &&
	(cd st-b && bus-recv -n --type skills -f id) >left &&
	test_must_be_empty left &&
	(cd st-b && bus-recv -n --type profile -f id) >left &&
	test_must_be_empty left &&
	git -C hub.git ls-tree -r --name-only main archive-b/ >archived &&
	grep "/$(cat profile.ids).json\$" archived
'

test_expect_success 'the hub out of reach: 75, the commit kept and pushed by the next run' '
	echo "- offline" >>a/src/mine/SKILL.md &&
	mv skills.git skills.away &&
	test_expect_code 75 skills-sync -R a/skills a/src >out 2>err &&
	mv skills.away skills.git &&
	echo "committed mine" >expect &&
	test_cmp expect out &&
	grep "out of reach" err &&
	kept=$(git -C a/skills rev-parse main) &&
	git -C a/skills show main:mine/SKILL.md >got &&
	test_cmp a/src/mine/SKILL.md got &&
	test "$(skills_tip)" != "$kept" &&
	clean a/skills &&
	skills-sync -R a/skills a/src >out &&
	echo "pushed mine" >expect &&
	test_cmp expect out &&
	test "$(skills_tip)" = "$kept"
'

test_expect_success 'a kept commit that meets a change of the same skill is set aside' '
	skills-sync -R b/skills --pull b/src >/dev/null &&
	echo "- offline again" >>a/src/mine/SKILL.md &&
	mv skills.git skills.away &&
	test_expect_code 75 skills-sync -R a/skills a/src >/dev/null 2>&1 &&
	mv skills.away skills.git &&
	kept=$(git -C a/skills rev-parse main) &&
	echo "- meanwhile on b" >>b/src/mine/SKILL.md &&
	skills-sync -R b/skills b/src >/dev/null &&
	hub=$(skills_tip) &&
	test_expect_code 65 skills-sync -R a/skills a/src >out 2>err &&
	echo "skipped mine (changed here and on the hub)" >expect &&
	test_cmp expect out &&
	grep "set aside as refs/skills-sync/unpushed/$kept" err &&
	test "$(skills_tip)" = "$hub" &&
	test "$(git -C a/skills rev-parse main)" = "$hub" &&
	git -C a/skills rev-parse refs/skills-sync/unpushed/$kept &&
	clean a/skills &&
	skills-sync -R a/skills --pull a/src >out 2>err;
	test $? = 65 &&
	grep "skipped mine (changed here and on the hub)" out
'

test_expect_success 'an empty skills hub gets its first commit' '
	git init -q --bare empty.git &&
	git clone -q empty.git e 2>/dev/null &&
	skills-sync -R e b/src >out &&
	cat >expect <<-EOF &&
	pushed mine
	pushed only-a
	pushed second
	EOF
	test_cmp expect out &&
	git -C empty.git ls-tree -r --name-only main >files &&
	grep "^mine/SKILL.md$" files &&
	clean e
'

test_expect_success 'a clone with uncommitted changes is refused, untouched' '
	echo "hand edit" >>a/skills/README &&
	test_expect_code 64 skills-sync -R a/skills a/src 2>err &&
	grep "uncommitted changes" err &&
	grep "hand edit" a/skills/README &&
	git -C a/skills checkout -q README
'

test_expect_success 'pull: what is not synced here and in the way of the hub version is a conflict; nothing lost' '
	mkdir -p x/src/tools y/src &&
	echo "# Tools" >x/src/tools/SKILL.md &&
	skills-sync -R a/skills x/src >out &&
	echo "pushed tools" >expect &&
	test_cmp expect out &&
	skills-sync -R b/skills --pull y/src >out &&
	grep "^installed tools$" out &&
	printf "tools/cache.txt\ntools/data/\n" >y/src/.skillsignore &&
	echo "local cache" >y/src/tools/cache.txt &&
	mkdir y/src/tools/data &&
	echo "local data" >y/src/tools/data/x &&
	echo "hub cache" >x/src/tools/cache.txt &&
	echo "hub data" >x/src/tools/data &&
	echo "- more" >>x/src/tools/SKILL.md &&
	skills-sync -R a/skills x/src >out &&
	echo "pushed tools" >expect &&
	test_cmp expect out &&
	state y/src/tools >before &&
	test_expect_code 65 skills-sync -R b/skills --pull y/src >out 2>err &&
	grep "^skipped tools (unsynced cache.txt in the way)$" out &&
	cat >expect <<-EOF &&
	skills-sync: tools: unsynced cache.txt in the way; to replace it with the hub'"'"'s version: skills-sync -R b/skills --pull --force y/src
	skills-sync: tools: or move it out of the skill, then: skills-sync -R b/skills --pull y/src
	EOF
	test_cmp expect err &&
	state y/src/tools >after &&
	test_cmp before after &&
	rm y/src/tools/cache.txt &&
	test_expect_code 65 skills-sync -R b/skills --pull y/src >out 2>err &&
	grep "^skipped tools (unsynced data/ in the way)$" out &&
	echo "local data" >expect &&
	test_cmp expect y/src/tools/data/x &&
	! grep "more" y/src/tools/SKILL.md &&
	skills-sync -R b/skills --pull --force y/src >out &&
	grep "^updated tools (local files replaced)$" out &&
	test_cmp x/src/tools/SKILL.md y/src/tools/SKILL.md &&
	test_cmp x/src/tools/data y/src/tools/data &&
	ls -a y/src >list &&
	! grep skills-sync list &&
	clean b/skills &&
	rm y/src/.skillsignore &&
	skills-sync -R b/skills --pull y/src >out &&
	test_must_be_empty out
'

test_expect_success 'an update keeps what is not synced and not in the way' '
	echo "tools/*.local" >y/src/.skillsignore &&
	echo "local notes" >y/src/tools/notes.local &&
	ln -s ../elsewhere y/src/tools/link &&
	echo "- still more" >>x/src/tools/SKILL.md &&
	skills-sync -R a/skills x/src >/dev/null &&
	skills-sync -R b/skills --pull y/src >out &&
	grep "^updated tools$" out &&
	test_cmp x/src/tools/SKILL.md y/src/tools/SKILL.md &&
	echo "local notes" >expect &&
	test_cmp expect y/src/tools/notes.local &&
	test "$(readlink y/src/tools/link)" = ../elsewhere
'

test_expect_success 'what a killed run left: its scratch directory removed, a hidden copy reported and kept' '
	mkdir b/skills/.git/skills-sync.Ab12Cd y/src/.tools.skills-sync-new.Zz9Yy8 &&
	echo "work" >b/skills/.git/skills-sync.Ab12Cd/index &&
	echo "carried" >y/src/.tools.skills-sync-new.Zz9Yy8/cache.txt &&
	skills-sync -R b/skills --pull y/src >out 2>err &&
	! test -e b/skills/.git/skills-sync.Ab12Cd &&
	ls b/skills/.git >list &&
	! grep "^skills-sync\." list &&
	grep "/y/src/.tools.skills-sync-new.Zz9Yy8: left by an interrupted skills-sync; take back what it holds, then remove it$" err &&
	echo "carried" >expect &&
	test_cmp expect y/src/.tools.skills-sync-new.Zz9Yy8/cache.txt &&
	rm -r y/src/.tools.skills-sync-new.Zz9Yy8
'

# always-racer: git, except that before every push machine B pushes a
# new version of the same skill first.
cat >always-racer <<EOS
#!/bin/sh
case " \$* " in
*" push "*)
	echo "- b races \$\$" >>"$TRASH_DIRECTORY/y/src/tools/SKILL.md"
	BUS_GIT= skills-sync -q --force -R "$TRASH_DIRECTORY/b/skills" \\
		"$TRASH_DIRECTORY/y/src" || exit 1 ;;
esac
exec git "\$@"
EOS
chmod +x always-racer

test_expect_success 'a push that loses every race gives up: 75, the hub has the other version' '
	echo "- x wants this" >>x/src/tools/SKILL.md &&
	(BUS_GIT="$TRASH_DIRECTORY/always-racer" && export BUS_GIT &&
		test_expect_code 75 skills-sync -R a/skills --force x/src \
		>out 2>err) &&
	grep "the hub changed the same skills during each of 3 tries; run again" err &&
	git -C skills.git show main:tools/SKILL.md >got &&
	test_cmp y/src/tools/SKILL.md got &&
	clean a/skills &&
	skills-sync -R a/skills --force x/src >out &&
	echo "pushed tools" >expect &&
	test_cmp expect out &&
	git -C skills.git show main:tools/SKILL.md >got &&
	test_cmp x/src/tools/SKILL.md got
'

test_expect_success 'pull: a directory on the hub whose SKILL.md is not a file is no skill' '
	git clone -q skills.git odd &&
	mkdir odd/linked odd/nested odd/plain &&
	ln -s ../tools/SKILL.md odd/linked/SKILL.md &&
	mkdir odd/nested/SKILL.md &&
	echo "inside" >odd/nested/SKILL.md/x &&
	echo "# Plain" >odd/plain/SKILL.md &&
	git -C odd add . &&
	git -C odd commit -q -m "odd skills" &&
	git -C odd push -q origin main &&
	skills-sync -R b/skills --pull y/src >out &&
	grep "^installed plain$" out &&
	! grep "linked\|nested" out &&
	! test -e y/src/linked &&
	! test -e y/src/nested
'

test_expect_success 'pull: a git repository where a hub skill goes is left alone' '
	mkdir -p x/src/kit &&
	echo "# Kit" >x/src/kit/SKILL.md &&
	skills-sync -R a/skills x/src >/dev/null &&
	mkdir y/src/kit &&
	git -C y/src/kit init -q &&
	echo "work" >y/src/kit/notes.txt &&
	git -C y/src/kit add notes.txt &&
	git -C y/src/kit commit -q -m mine &&
	skills-sync -R b/skills --pull y/src >out &&
	grep "^skipped kit (a git repository here)$" out &&
	git -C y/src/kit log --format=%s >log &&
	echo mine >expect &&
	test_cmp expect log &&
	! test -e y/src/kit/SKILL.md
'

test_expect_success 'pull --force: unsynced files below a directory that became a file on the hub' '
	mkdir -p x/src/deep/data/sub &&
	echo "# Deep" >x/src/deep/SKILL.md &&
	echo "kept" >x/src/deep/data/sub/keep.md &&
	skills-sync -R a/skills x/src >/dev/null &&
	skills-sync -R b/skills --pull y/src >/dev/null &&
	echo "deep/**/*.local" >>y/src/.skillsignore &&
	echo "mine" >y/src/deep/data/sub/x.local &&
	rm -r x/src/deep/data &&
	echo "now a file" >x/src/deep/data &&
	skills-sync -R a/skills x/src >/dev/null &&
	test_expect_code 65 skills-sync -R b/skills --pull y/src >out &&
	grep "^skipped deep (unsynced data/sub/x.local in the way)$" out &&
	echo "mine" >expect &&
	test_cmp expect y/src/deep/data/sub/x.local &&
	skills-sync -R b/skills --pull --force y/src >out &&
	grep "^updated deep (local files replaced)$" out &&
	test_cmp x/src/deep/data y/src/deep/data &&
	ls -a y/src >list &&
	! grep skills-sync list
'

test_expect_success 'the commands a conflict names, quoted for a shell, resolve it' '
	mkdir -p "q dir/mine" &&
	echo "# Mine, written here first" >"q dir/mine/SKILL.md" &&
	test_expect_code 65 skills-sync -R a/skills "q dir" >out 2>err &&
	echo "skipped mine (changed here and on the hub)" >expect &&
	test_cmp expect out &&
	grep "^skills-sync: mine: changed here and on the hub; to take the hub'"'"'s version: skills-sync -R a/skills --pull --force '"'"'q dir'"'"'$" err &&
	grep "^skills-sync: mine: or merge .* into this one, then: skills-sync -R a/skills --force '"'"'q dir'"'"'$" err &&
	take=$(sed -n "s/.*to take the hub'"'"'s version: //p" err) &&
	eval "$take" >out &&
	grep "^updated mine (local changes replaced)$" out &&
	git -C skills.git show main:mine/SKILL.md >got &&
	test_cmp got "q dir/mine/SKILL.md" &&
	test_expect_code 65 skills-sync -C st-a --pull --dry-run >out 2>err &&
	grep "^skipped mine (changed here and on the hub)$" out &&
	grep "to take the hub'"'"'s version: skills-sync -C st-a --pull --force$" err &&
	grep "then: skills-sync -C st-a --force$" err &&
	tail -n 1 err >last &&
	echo "skills-sync: dry run: nothing changed" >expect &&
	test_cmp expect last
'

test_expect_success 'usage' '
	test_expect_code 64 skills-sync a/src 2>err &&
	grep "no skills repository" err &&
	test_expect_code 64 skills-sync -R a/skills 2>err &&
	grep "no skills directory" err &&
	test_expect_code 64 skills-sync -R a/skills no/such/dir 2>err &&
	grep "no/such/dir: not a directory" err &&
	test_expect_code 64 skills-sync --pull --notify -R a/skills &&
	test_expect_code 64 skills-sync --pull -R a/skills x y &&
	test_expect_code 64 skills-sync --bogus &&
	skills-sync -h | grep "^usage: skills-sync"
'

test_done
