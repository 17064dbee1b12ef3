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
	test "$(git -C hub.git config receive.denyDeletes)" = true &&
	test "$(git -C hub.git config receive.fsckObjects)" = true &&
	test "$(git -C hub.git config bus.hub)" = true
'

test_expect_success 'bus-init --hub again changes nothing' '
	before=$(hub_tip) &&
	bus-init --hub hub.git &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'bus-init --hub again brings a hub of an older version up to date' '
	git -C hub.git config --unset receive.fsckObjects &&
	git -C hub.git config --unset bus.hub &&
	before=$(hub_tip) &&
	bus-init --hub hub.git &&
	test "$(git -C hub.git config receive.fsckObjects)" = true &&
	test "$(git -C hub.git config bus.hub)" = true &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'bus-init --hub refuses a directory that is not a bare repository' '
	mkdir plain && git -C plain init -q &&
	test_expect_code 64 bus-init --hub plain 2>err &&
	grep "not a bare git repository" err
'

test_expect_success 'bus-init --hub refuses a file, or a path under one' '
	echo mine >afile &&
	test_expect_code 64 bus-init --hub afile 2>err &&
	echo "bus-init: afile: exists and is not a directory" >expect &&
	test_cmp expect err &&
	test_expect_code 64 bus-init --hub afile/hub.git 2>err &&
	echo "bus-init: afile/hub.git: part of the path is a file, not a directory" >expect &&
	test_cmp expect err &&
	echo mine >expect &&
	test_cmp expect afile &&
	rm afile
'

test_expect_success 'bus-init --hub refuses a URL: a hub is made where it lives' '
	for url in ssh://host/srv/bus.git host:bus.git file://$TRASH_DIRECTORY/url.git
	do
		test_expect_code 64 bus-init --hub "$url" 2>err &&
		grep "^bus-init: $url: a URL; a hub is made on the machine where it lives" err ||
		exit 1
	done &&
	! test -e ssh: && ! test -e host:bus.git && ! test -e url.git &&
	bus-init --hub ./host:bus.git &&
	test "$(git -C ./host:bus.git config bus.hub)" = true
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

test_expect_success 'an existing clone of another hub is refused, untouched' '
	bus-init --hub other.git >/dev/null &&
	git -C st-alice config --list >before &&
	test_expect_code 64 bus-init -a alice other.git st-alice 2>err &&
	echo "bus-init: st-alice: exists as a clone of $TRASH_DIRECTORY/hub.git, not of other.git" >expect &&
	test_cmp expect err &&
	git -C st-alice config --list >after &&
	test_cmp before after
'

test_expect_success 'an existing station of another agent is refused, untouched' '
	before=$(hub_tip) &&
	test_expect_code 64 bus-init -a mallory hub.git st-alice 2>err &&
	echo "bus-init: st-alice: exists as the station of agent alice; give mallory a directory of its own" >expect &&
	test_cmp expect err &&
	test "$(git -C st-alice config bus.agent)" = alice &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'the same hub written another way is the same hub' '
	bus-init -a alice "$TRASH_DIRECTORY/hub.git/" st-alice >out &&
	bus-init -a alice "file://$TRASH_DIRECTORY/hub.git" st-alice >>out &&
	printf "%s\n" "$TRASH_DIRECTORY/st-alice" "$TRASH_DIRECTORY/st-alice" >expect &&
	test_cmp expect out &&
	bus-init --hub named.git &&
	bus-init -a jo named st-jo >out &&
	bus-init -a jo named st-jo >>out &&
	printf "%s\n" "$TRASH_DIRECTORY/st-jo" "$TRASH_DIRECTORY/st-jo" >expect &&
	test_cmp expect out
'

test_expect_success 'a directory that is not a clone is refused; an empty one is cloned into' '
	mkdir -p notes empty st-alice/sub &&
	echo "mine" >notes/todo &&
	echo "mine" >st-alice/sub/todo &&
	echo "mine" >afile &&
	test_expect_code 64 bus-init -a dave hub.git notes 2>err &&
	grep "^bus-init: notes: exists and is not the top of a git repository$" err &&
	echo "mine" >expect &&
	test_cmp expect notes/todo &&
	test_expect_code 64 bus-init -a dave hub.git st-alice/sub 2>err &&
	grep "st-alice/sub: exists and is not the top of a git repository" err &&
	test_expect_code 64 bus-init -a alice hub.git st-alice/.git 2>err &&
	grep "st-alice/.git: exists and is not the top of a git repository" err &&
	test_expect_code 64 bus-init -a dave hub.git afile 2>err &&
	grep "^bus-init: afile: exists and is not a directory$" err &&
	test_cmp expect afile &&
	bus-init -a dave hub.git empty >out &&
	test "$(git -C empty config bus.agent)" = dave &&
	test -f empty/inbox-dave/.keep &&
	mkdir empty-hub &&
	bus-init --hub empty-hub &&
	git -C empty-hub rev-parse --verify -q main >/dev/null
'

test_expect_success 'an empty hub, as a git host makes one, gets the layout from its first station' '
	git init -q --bare --initial-branch=trunk hosted.git &&
	bus-init -a erin hosted.git st-erin >out 2>err &&
	echo "$TRASH_DIRECTORY/st-erin" >expect &&
	test_cmp expect out &&
	! grep "^bus-init:" err &&
	git -C hosted.git ls-tree -r --name-only main >files &&
	cat >expect <<-EOF &&
	.gitattributes
	README.md
	archive-erin/.keep
	inbox-erin/.keep
	EOF
	test_cmp expect files &&
	git -C hosted.git show main:.gitattributes >attrs &&
	echo "user-sync/USER.md merge=profile" >expect &&
	test_cmp expect attrs &&
	test "$(git -C st-erin symbolic-ref HEAD)" = refs/heads/main &&
	test -f st-erin/README.md &&
	test -f st-erin/inbox-erin/.keep &&
	git -C st-erin status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'a clone of the empty hub made before then joins with the whole tree' '
	git init -q --bare early.git &&
	git clone -q early.git st-fay 2>/dev/null &&
	bus-init -a gus early.git st-gus >/dev/null &&
	bus-init -a fay early.git st-fay >out &&
	test "$(git -C st-fay symbolic-ref HEAD)" = refs/heads/main &&
	test -f st-fay/README.md &&
	test -f st-fay/inbox-gus/.keep &&
	test -f st-fay/inbox-fay/.keep &&
	git -C st-fay status --porcelain >status &&
	test_must_be_empty status &&
	id=$(bus-send -C st-fay gus hello) &&
	bus-recv -C st-gus -f id >ids &&
	echo "$id" >expect &&
	test_cmp expect ids
'

test_expect_success 'a repository with other branches but no bus branch is not a bus' '
	git init -q --bare project.git &&
	git clone -q project.git proj 2>/dev/null &&
	echo "int main;" >proj/app.c &&
	git -C proj add app.c &&
	git -C proj commit -q -m app &&
	git -C proj push -q origin HEAD:trunk &&
	test_expect_code 64 bus-init -a kim project.git st-kim 2>err &&
	grep "project.git: the hub has no branch main, and is not empty: not a bus" err &&
	git -C project.git for-each-ref --format="%(refname)" >refs &&
	echo refs/heads/trunk >expect &&
	test_cmp expect refs
'

test_expect_success 'a clone of an empty hub with work of its own is not made a bus' '
	git init -q --bare blank.git &&
	git clone -q blank.git st-lee 2>/dev/null &&
	echo "mine" >st-lee/README.md &&
	test_expect_code 64 bus-init -a lee blank.git st-lee 2>err &&
	grep "st-lee: a clone of an empty hub with files in it; move them away first" err &&
	test_must_fail git -C st-lee config bus.agent &&
	echo "mine" >expect &&
	test_cmp expect st-lee/README.md &&
	git -C st-lee add README.md &&
	git -C st-lee commit -q -m mine &&
	test_expect_code 64 bus-init -a lee blank.git st-lee 2>err &&
	grep "st-lee: the hub is empty and main holds commits that are not a bus" err &&
	git -C blank.git for-each-ref >refs &&
	test_must_be_empty refs &&
	test_cmp expect st-lee/README.md
'

# racer: git, except that before the first push another station
# begins the same empty hub, so that this one loses the race.
cat >racer <<EOS
#!/bin/sh
case " \$* " in
*" push "*)
	if ! test -e "$TRASH_DIRECTORY/raced"; then
		: >"$TRASH_DIRECTORY/raced"
		BUS_GIT= bus-init -a hal "$TRASH_DIRECTORY/race.git" \\
			"$TRASH_DIRECTORY/st-hal" >/dev/null || exit 1
	fi ;;
esac
exec git "\$@"
EOS
chmod +x racer

test_expect_success 'two stations beginning the same empty hub at once: both join' '
	git init -q --bare race.git &&
	(BUS_GIT="$TRASH_DIRECTORY/racer" && export BUS_GIT &&
		bus-init -a ivy race.git st-ivy >out) &&
	test -e raced &&
	git -C race.git log --format=%s main >log &&
	cat >expect <<-EOF &&
	bus-init: agent ivy joins
	bus-init: agent hal joins
	EOF
	test_cmp expect log &&
	git -C race.git ls-tree -r --name-only main >files &&
	cat >expect <<-EOF &&
	.gitattributes
	README.md
	archive-hal/.keep
	archive-ivy/.keep
	inbox-hal/.keep
	inbox-ivy/.keep
	EOF
	test_cmp expect files &&
	git -C st-ivy status --porcelain >status &&
	test_must_be_empty status &&
	test "$(git -C st-ivy rev-parse HEAD)" = "$(git -C race.git rev-parse main)"
'

# tree_with NAME BLOB: a tree whose one entry NAME is BLOB, as no git
# command but hash-object --literally would write it.
tree_with () {
	printf "100644 $1\\0$(echo "$2" | awk '{
		for (i = 1; i < length($0); i += 2)
			printf "\\%03o", 16 * index("0123456789abcdef",
			    substr($0, i, 1)) + index("0123456789abcdef",
			    substr($0, i + 1, 1)) - 17
	}')" | git -C raw hash-object -t tree -w --literally --stdin
}

test_expect_success 'the hub runs git fsck on what is pushed, before its hook' '
	git clone -q hub.git raw &&
	blob=$(echo mine | git -C raw hash-object -w --stdin) &&
	tree=$(tree_with .git $blob) &&
	git -C raw ls-tree $tree >ls &&
	printf "100644 blob %s\t.git\n" $blob >expect &&
	test_cmp expect ls &&
	git -C raw reset -q --soft $(git -C raw commit-tree -p HEAD -m dotgit $tree) &&
	refused "hasDotgit" &&
	without_hub_hook refused "hasDotgit" &&
	test_must_fail git -C hub.git cat-file -e $tree &&
	for name in .. .GIT a/b
	do
		tree=$(tree_with $name $blob) &&
		git -C raw reset -q --soft $(git -C raw commit-tree -p origin/main -m bad $tree) &&
		without_hub_hook refused "fsck error" &&
		test_must_fail git -C hub.git cat-file -e $tree ||
		exit 1
	done
'

test_expect_success 'a bad agent name is refused and nothing is made' '
	test_expect_code 64 bus-init -a Dave hub.git st-dave 2>err &&
	grep "Dave: not an agent name" err &&
	! test -d st-dave
'

test_expect_success 'a station leaves the archives out of its work tree and index' '
	bus-init --hub sp.git &&
	bus-init -a a sp.git sp-a >/dev/null &&
	bus-init -a b sp.git sp-b >/dev/null &&
	test "$(git -C sp-a config core.sparseCheckout)" = true &&
	test "$(git -C sp-a config index.sparse)" = true &&
	(cd sp-a && bus-send b one && bus-send b two) | sort >ids &&
	bus-recv -C sp-b -f id | sort >got &&
	test_cmp ids got &&
	test $(ls sp-b/inbox-b | wc -l) -eq 2 &&
	bus-ack -C sp-b $(cat ids) &&
	! test -e sp-b/archive-b &&
	test "$(ls sp-b/inbox-b)" = "" &&
	git -C sp-b ls-tree -r --name-only HEAD archive-b >archived &&
	test $(grep -c "json$" archived) -eq 2 &&
	git -C sp-b ls-files --sparse >index &&
	grep -x "archive-b/" index &&
	! grep "^archive-b/.*json" index &&
	git -C sp-b status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'an inbox new to the branch joins the cone, an archive never' '
	bus-init -a c sp.git sp-c >/dev/null &&
	(cd sp-a && bus-send c "to the newcomer") >id &&
	bus-recv -C sp-b >/dev/null &&
	grep -x "/inbox-c/" sp-b/.git/info/sparse-checkout &&
	! grep "archive" sp-b/.git/info/sparse-checkout &&
	test -f "sp-b/inbox-c/$(cat id).json" &&
	git -C sp-b status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'what the user staged is kept unless the move changes it too' '
	echo "# notes" >sp-b/README.md &&
	git -C sp-b add README.md &&
	(cd sp-a && bus-send b "while b stages") >/dev/null &&
	bus-recv -C sp-b >/dev/null 2>err &&
	test_must_be_empty err &&
	git -C sp-b diff --cached --name-only >staged &&
	echo README.md >expect &&
	test_cmp expect staged &&
	git -C sp-b reset -q --hard &&
	git -C sp-b status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'what the user staged that the move changes too: named, set back' '
	(cd sp-a && bus-send b "to be acked") >id &&
	bus-recv -C sp-b >/dev/null &&
	echo "{}" >"sp-b/inbox-b/$(cat id).json" &&
	git -C sp-b add "inbox-b/$(cat id).json" &&
	bus-ack -C sp-b "$(cat id)" 2>err &&
	grep "warning: the index: set to .* whole, what was staged there is not" err &&
	! test -e "sp-b/inbox-b/$(cat id).json" &&
	git -C sp-b status --porcelain >status &&
	test_must_be_empty status &&
	git -C sp-b ls-files --sparse >index &&
	grep -x "archive-b/" index
'

test_expect_success 'bus-init --full keeps every file of the branch' '
	bus-init --full -a d sp.git sp-d >/dev/null &&
	test "$(git -C sp-d config --bool core.sparseCheckout || echo false)" = false &&
	ls sp-d/archive-b/*/*.json >archived &&
	test $(wc -l <archived) -eq 3 &&
	git -C sp-d status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'usage' '
	test_expect_code 64 bus-init 2>err &&
	test_expect_code 64 bus-init -a x &&
	test_expect_code 64 bus-init --hub &&
	bus-init -h >out &&
	grep "^usage: bus-init" out
'

test_expect_success 'bus-init --hub points HEAD at the bus branch: a plain clone checks it out' '
	git -c init.defaultBranch=master init -q --bare master.git &&
	bus-init --hub master.git &&
	test "$(git -C master.git symbolic-ref HEAD)" = refs/heads/main &&
	git clone -q master.git plain-clone 2>err &&
	test_must_be_empty err &&
	test "$(git -C plain-clone symbolic-ref HEAD)" = refs/heads/main &&
	ls plain-clone >files &&
	echo README.md >expect &&
	test_cmp expect files
'

test_expect_success 'bus-init --hub makes the branch bus.branch names, and HEAD names it' '
	git init -q --bare trunk.git &&
	git -C trunk.git config bus.branch trunk &&
	bus-init --hub trunk.git &&
	git -C trunk.git for-each-ref --format="%(refname)" refs/heads >refs &&
	echo refs/heads/trunk >expect &&
	test_cmp expect refs &&
	test "$(git -C trunk.git symbolic-ref HEAD)" = refs/heads/trunk
'

test_done
