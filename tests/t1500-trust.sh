#!/bin/sh
test_description='a station never trusts its hub: hostile trees (SPEC section 7, Trust)'
. "$BUS_SRC_DIR/tests/test-lib.sh"

TS=2026-11-28T10:15:00Z
LITERAL_TREE="$BUS_SRC_DIR/tests/helper/literal-tree"
LAYOUT='^(README\.md|\.gitattributes|user-sync/USER\.md|\.bus/allowed_signers|(inbox|archive)-[a-z0-9-]+/(\.keep|[A-Za-z0-9][A-Za-z0-9._-]*\.json)|archive-[a-z0-9-]+/[0-9]{4}-[0-9]{2}-[0-9]{2}/[A-Za-z0-9][A-Za-z0-9._-]*\.json)$'

# msg ID TO: a valid message from a, canonical.
msg () {
	printf '{"id":"%s","ts":"%s","from":"a","to":"%s","type":"note","body":"hi"}\n' \
		"$1" "$TS" "$2"
}

# blob REPO KIND ID: write the content of a hostile entry; print its id.
blob () {
	case $2 in
	cfg)	printf '[core]\n\tfsmonitor = "touch %s/pwned; false"\n' \
			"$TRASH_DIRECTORY" ;;
	sh)	printf '#!/bin/sh\ntouch %s/pwned\n' "$TRASH_DIRECTORY" ;;
	link)	printf '../../../escaped' ;;
	msg)	msg "$3" b ;;
	gitmodules)
		printf '[submodule "x"]\n\tpath = x\n\turl = --upload-pack=touch${IFS}pwned\n' ;;
	*)	printf 'gitdir: ../..\n' ;;
	esac | git -C "$1" hash-object -w --stdin
}

# forge REPO BASE MODE KIND PATH ID: a commit on BASE whose tree adds a
# valid message ok-ID for b and, with plumbing that checks nothing,
# the hostile entry PATH ("@ID@" in it becomes h-ID); print its id.
forge () {
	_repo=$1 _base=$2 _mode=$3 _kind=$4 _path=$5 _id=$6
	_ok=$(msg "ok-$_id" b | git -C "$_repo" hash-object -w --stdin) &&
	if [ "$_kind" = commit ]; then
		_obj=$(git -C "$_repo" rev-parse "$_base")
	else
		_obj=$(blob "$_repo" "$_kind" "h-$_id")
	fi &&
	_p=$(printf '%s' "$_path" | sed "s/@ID@/h-$_id/") &&
	_tree=$(cd "$_repo" && perl "$LITERAL_TREE" "$_base^{tree}" \
		100644 "$_ok" "inbox-b/ok-$_id.json" "$_mode" "$_obj" "$_p") &&
	git -C "$_repo" commit-tree -p "$_base" -m "hostile $_id" "$_tree"
}

# clean REPO PATH ID: a commit on the tip of REPO without the hostile
# entry PATH, as the hub's owner would make to clean up; print its id.
clean () {
	_p=$(printf '%s' "$2" | sed "s/@ID@/h-$3/") &&
	_tree=$(cd "$1" && perl "$LITERAL_TREE" "main^{tree}" 0 - "$_p") &&
	git -C "$1" commit-tree -p main -m "clean up $3" "$_tree"
}

# station_sane: nothing ran, nothing left the work tree of box/st-b,
# nothing was written there but the layout's regular files.
station_sane () {
	! test -e "$TRASH_DIRECTORY/pwned" &&
	! test -e "$TRASH_DIRECTORY/escaped" &&
	! test -e "$TRASH_DIRECTORY/box/escaped" &&
	test "$(cksum <box/st-b/.git/config)" = "$(cat config.sum)" &&
	test "$(ls -A box)" = st-b &&
	(cd box/st-b && find . -path ./.git -prune -o -type l -print) >links &&
	test_must_be_empty links &&
	(cd box/st-b && find . -path ./.git -prune -o -type f -perm -100 \
		-print) >exec &&
	test_must_be_empty exec &&
	(cd box/st-b && find . -path ./.git -prune -o -type f -print) |
		sed "s|^\./||" | grep -v -E "$LAYOUT" >strays
	test_must_be_empty strays
}

test_expect_success 'set up: a plain hub (no hook, as on a git host) and a hooked one' '
	git init -q --bare plain.git &&
	bus-init -a a plain.git st-a >/dev/null &&
	mkdir box &&
	bus-init --full -a b plain.git box/st-b >/dev/null &&
	bus-init -a s plain.git st-s >/dev/null &&
	bus-recv -C st-a -f id >/dev/null &&
	bus-init -a f plain.git st-f >/dev/null &&
	git -C st-f config transfer.fsckObjects true &&
	cksum <box/st-b/.git/config >config.sum &&
	git clone -q --bare plain.git forge.git &&
	bus-init --hub hub.git &&
	# the hook alone must refuse: the object checks of git are in t0200
	git -C hub.git config receive.fsckObjects false &&
	bus-init -a a hub.git hub-a >/dev/null &&
	bus-init -a b hub.git hub-b >/dev/null &&
	git clone -q --bare hub.git forge-hooked.git &&
	station_sane
'

# The hostile entries: what the station answers (65 dangerous, 0
# unknown), the mode, what the entry holds, and where it goes.  (An
# empty name is not here: git's own pack-objects refuses to send one.)
cat >cases <<\EOF
65 100644 cfg .git/config
65 100644 cfg .GIT/config
65 100644 cfg .Git/hooks/post-checkout
65 100644 cfg .git./config
65 100644 cfg .git\x20/config
65 100644 cfg .git.\x20.\x20/config
65 100644 cfg git~1/config
65 100644 cfg GIT~1/config
65 100644 cfg .g\xe2\x80\x8cit/config
65 100644 cfg \xef\xbb\xbf.git/config
65 100644 cfg .gi\xe2\x80\x8dt/config
65 100644 cfg .git::$INDEX_ALLOCATION/config
65 100644 cfg inbox-b/.git/config
65 100644 cfg archive-b/2026-11-28/.git/config
65 100644 text .git
65 100644 text inbox-b/.git
65 120000 link .git
65 160000 commit .git
65 100644 text ../escaped
65 100644 text inbox-b/../../escaped
65 100644 text ..\x2fescaped
65 100644 text inbox-b/..\x2f..\x2fescaped
65 100644 text ./README.md
65 100644 text \x2fescaped
65 100644 text inbox-b/..
65 100644 text ..\x5cescaped
65 100644 text inbox-b/x\x0ay.json
65 100644 text inbox-b/\x1b[2J.json
65 100644 text inbox-b/\xff\xfe.json
65 120000 link inbox-b/@ID@.json
65 120000 link inbox-c
65 120000 link user-sync/USER.md
65 120000 link .gitattributes
65 100755 msg inbox-b/@ID@.json
65 100755 sh README.md
65 160000 commit inbox-d
0 100644 text evil.sh
0 100644 gitmodules .gitmodules
0 100644 text presence/a.json
0 100644 sh .bus/hooks/post-checkout
0 100644 text inbox-B/x.json
0 100644 text inbox-b/sub/x.json
EOF

n=0
while read -r code mode kind path; do
	n=$((n + 1))
	safe=$(printf '%s' "$path" | tr -c 'A-Za-z0-9./@~:$\\-' '_')

	test_expect_success "hooked hub refuses $safe ($mode)" '
		before=$(git -C hub.git rev-parse main) &&
		git -C forge-hooked.git fetch -q origin +main:main &&
		c=$(forge forge-hooked.git main $mode $kind "$path" $n) &&
		test_must_fail git -C forge-hooked.git push -q origin \
			$c:refs/heads/main 2>err &&
		grep -F "bus-check: push refused" err &&
		test "$(git -C hub.git rev-parse main)" = "$before"
	'

	test_expect_success "plain hub: station b stays safe from $safe ($mode)" '
		git -C forge.git fetch -q origin +main:main &&
		c=$(forge forge.git main $mode $kind "$path" $n) &&
		git -C forge.git push -q origin $c:refs/heads/main &&
		test_expect_code $code bus-sync -C box/st-b 2>err &&
		if [ $code = 65 ]; then
			grep -F "not written" err &&
			grep -F "(in the tree of $(echo $c | cut -c1-12))" err
		else
			grep -F "warning:" err && grep -F "; skipped" err
		fi &&
		station_sane &&
		# a sparse station: the entry never reaches its index
		test_expect_code $code bus-sync -C st-s 2>err &&
		git -C st-s status --porcelain >status &&
		bus-recv -C box/st-b -f id >ids &&
		grep -x "ok-$n" ids &&
		bus-ack -C box/st-b "ok-$n" &&
		bus-send -C box/st-b a "still here $n" >/dev/null &&
		station_sane
	'

	test_expect_success "plain hub: a commit on top cleans $safe away" '
		git -C forge.git fetch -q origin +main:main &&
		c=$(clean forge.git "$path" $n) &&
		git -C forge.git push -q origin $c:refs/heads/main &&
		bus-sync -C box/st-b 2>err &&
		test_must_be_empty err &&
		bus-recv -C box/st-b >out 2>err &&
		test_must_be_empty err &&
		git -C box/st-b status --porcelain >status &&
		test_must_be_empty status &&
		station_sane &&
		bus-sync -C st-s 2>err &&
		test_must_be_empty err &&
		git -C st-s status --porcelain >status &&
		test_must_be_empty status &&
		! test -e st-s/archive-b
	'
done <cases

test_expect_success 'a station that checks fetched objects still takes that history' '
	git -C plain.git rev-list main >all &&
	test $(wc -l <all) -gt 80 &&
	bus-sync -C st-f &&
	test "$(git -C st-f rev-parse main)" = "$(git -C plain.git rev-parse main)" &&
	git -C st-f status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'a symlink in the work tree is never written through' '
	mkdir outside &&
	rm -rf box/st-b/archive-b &&
	ln -s ../../outside box/st-b/archive-b &&
	git -C st-a pull -q 2>/dev/null; bus-send -C st-a -i thru b "to b" &&
	bus-recv -C box/st-b -f id >ids &&
	grep -x thru ids &&
	test_expect_code 65 bus-ack -C box/st-b thru 2>err &&
	grep -F "archive-b/" err &&
	grep -F "a symlink in the work tree is in the way" err &&
	ls -A outside >listing &&
	test_must_be_empty listing &&
	rm box/st-b/archive-b &&
	git -C box/st-b checkout -q HEAD -- archive-b &&
	test -f box/st-b/archive-b/$(date -u +%Y-%m-%d)/thru.json &&
	git -C box/st-b status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'a symlink where a message goes is replaced, not followed' '
	bus-send -C st-a -i link1 b "to b" &&
	ln -s ../../outside/victim box/st-b/inbox-b/link1.json &&
	bus-recv -C box/st-b -f id >ids &&
	grep -x link1 ids &&
	! test -e outside/victim &&
	! test -h box/st-b/inbox-b/link1.json &&
	grep -F "\"id\":\"link1\"" box/st-b/inbox-b/link1.json &&
	git -C box/st-b status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'the hub itself is no station (64)' '
	test_expect_code 64 bus-send -C hub.git -a a b "past the hook" 2>err &&
	grep -F "this is the hub" err &&
	test_expect_code 64 env BUS_DIR=plain.git bus-recv -a b 2>err &&
	grep -F "no remote origin with a URL" err &&
	test_expect_code 64 bus-ack -C plain.git -a b x 2>err &&
	test_expect_code 64 bus-sync -C hub.git -a a 2>err &&
	test_expect_code 64 bus-status -C hub.git -a a 2>err &&
	git -C hub.git log --format=%s main >log &&
	! grep -F "past the hook" log
'

test_expect_success 'a damaged branch is named, not called detached' '
	git clone -q plain.git dmg &&
	git -C dmg config bus.agent b &&
	echo garbage >dmg/.git/refs/heads/main &&
	test_expect_code 64 bus-recv -C dmg 2>err &&
	grep -F "refs/heads/main is damaged" err &&
	! grep -F detached err
'

test_expect_success 'bus-check --tree and --range name what is outside the layout' '
	git -C forge.git fetch -q origin +main:main &&
	c=$(forge forge.git main 100644 cfg .GIT/config 900) &&
	git -C forge.git update-ref refs/heads/hostile $c &&
	test_expect_code 65 bus-check -C forge.git --tree hostile 2>err &&
	grep -F ".GIT/config: a name a file system may take for .git" err &&
	test_expect_code 65 bus-check -C forge.git --range main..hostile 2>err &&
	grep -F ".GIT/config: a name a file system may take for .git" err &&
	c=$(forge forge.git main 100644 text NEWS 901) &&
	test_expect_code 65 bus-check -C forge.git --range main..$c 2>err &&
	grep -F "NEWS: not in the bus layout" err &&
	bus-check -C forge.git --tree main
'

test_expect_success 'a replace ref cannot smuggle a tree past the hook' '
	git -C forge-hooked.git fetch -q origin +main:main &&
	c=$(forge forge-hooked.git main 100755 sh evil.sh 800) &&
	r=$(git -C forge-hooked.git commit-tree -p main -m innocent \
		"main^{tree}") &&
	git -C forge-hooked.git push -q origin $r:refs/replace/$c &&
	before=$(git -C hub.git rev-parse main) &&
	test_must_fail git -C forge-hooked.git push -q origin \
		$c:refs/heads/main 2>err &&
	grep -F "evil.sh: an executable file" err &&
	test "$(git -C hub.git rev-parse main)" = "$before" &&
	git -C forge-hooked.git replace $c $r &&
	test_expect_code 65 bus-check -C forge-hooked.git --tree $c 2>err &&
	grep -F "evil.sh: an executable file" err &&
	git -C forge-hooked.git replace -d $c &&
	git -C hub.git update-ref -d refs/replace/$c
'

test_expect_success 'the hook takes a .gitattributes that changes no bytes, and no other' '
	rm -rf raw && git clone -q hub.git raw &&
	printf "user-sync/USER.md merge=profile\n# notes\n*.md -text diff\n" \
		>raw/.gitattributes &&
	git -C raw commit -q -a -m attrs && git -C raw push -q origin HEAD:main &&
	for bad in "*.json working-tree-encoding=UTF-16" "* filter=x" \
		"*.json text eol=crlf" "* ident" "[attr]evil filter=x" \
		"\"*.json\"working-tree-encoding=UTF-16"; do
		printf "%s\n" "$bad" >>raw/.gitattributes &&
		git -C raw commit -q -a -m "bad attrs" &&
		before=$(git -C hub.git rev-parse main) &&
		test_must_fail git -C raw push -q origin HEAD:main 2>err &&
		grep -F ".gitattributes: a .gitattributes " err &&
		test "$(git -C hub.git rev-parse main)" = "$before" &&
		git -C raw reset -q --hard origin/main || exit 1
	done
'

test_expect_success 'a station never writes a .gitattributes that would jam it' '
	git -C forge.git fetch -q origin +main:main &&
	attrs=$(printf "user-sync/USER.md merge=profile\n*.json working-tree-encoding=UTF-16\n" |
		git -C forge.git hash-object -w --stdin) &&
	tree=$(cd forge.git && perl "$LITERAL_TREE" "main^{tree}" \
		100644 $attrs .gitattributes) &&
	c=$(git -C forge.git commit-tree -p main -m "hostile attributes" $tree) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	test_expect_code 65 bus-sync -C box/st-b 2>err &&
	grep -F ".gitattributes: a .gitattributes that sets more than" err &&
	! grep -s -F encoding box/st-b/.gitattributes &&
	test_expect_code 65 bus-send -C st-a -i attr1 b "after the attributes" \
		2>err &&
	grep -F ".gitattributes: a .gitattributes that sets more than" err &&
	bus-recv -C box/st-b -f id >ids &&
	grep -x attr1 ids &&
	bus-ack -C box/st-b attr1 &&
	bus-send -C box/st-b a "still fine" >/dev/null &&
	git -C forge.git fetch -q origin +main:main &&
	good=$(printf "user-sync/USER.md merge=profile\n" |
		git -C forge.git hash-object -w --stdin) &&
	tree=$(cd forge.git && perl "$LITERAL_TREE" "main^{tree}" \
		100644 $good .gitattributes) &&
	c=$(git -C forge.git commit-tree -p main -m "clean attributes" $tree) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	bus-sync -C box/st-b 2>err &&
	test_must_be_empty err &&
	git -C box/st-b status --porcelain >status &&
	test_must_be_empty status
'

test_expect_success 'a file the station never wrote is never removed' '
	echo precious >box/st-b/notes.txt &&
	git -C forge.git fetch -q origin +main:main &&
	c=$(forge forge.git main 100644 text notes.txt 801) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	bus-sync -C box/st-b 2>err &&
	grep -F "notes.txt: not in the bus layout" err &&
	git -C forge.git fetch -q origin +main:main &&
	c=$(clean forge.git notes.txt 801) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	bus-sync -C box/st-b &&
	echo precious >expect &&
	test_cmp expect box/st-b/notes.txt &&
	rm box/st-b/notes.txt
'

test_expect_success '-q leaves out the warnings, never the refusals' '
	git -C forge.git fetch -q origin +main:main &&
	c=$(forge forge.git main 100644 text NEWS 802) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	bus-sync -q -C box/st-b 2>err &&
	test_must_be_empty err &&
	git -C forge.git fetch -q origin +main:main &&
	c=$(forge forge.git main 120000 link inbox-b/@ID@.json 803) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	test_expect_code 65 bus-send -q -C box/st-b a "quiet" >/dev/null 2>err &&
	grep -F "inbox-b/h-803.json: a symlink" err &&
	git -C forge.git fetch -q origin +main:main &&
	c=$(clean forge.git NEWS 802) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	git -C forge.git fetch -q origin +main:main &&
	c=$(clean forge.git inbox-b/@ID@.json 803) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	bus-sync -C box/st-b 2>err &&
	test_must_be_empty err
'

test_expect_success 'a new station takes only the layout of a hostile hub' '
	git -C forge.git fetch -q origin +main:main &&
	cfg=$(blob forge.git cfg x) && sh=$(blob forge.git sh x) &&
	link=$(blob forge.git link x) &&
	tree=$(cd forge.git && perl "$LITERAL_TREE" "main^{tree}" \
		100644 $cfg .GIT/config 100755 $sh README.md \
		120000 $link user-sync/USER.md 100644 $sh evil.sh) &&
	c=$(git -C forge.git commit-tree -p main -m "hostile at clone" $tree) &&
	git -C forge.git push -q origin $c:refs/heads/main &&
	mkdir box2 &&
	test_expect_code 65 bus-init -a g plain.git box2/st-g 2>err &&
	grep -F ".GIT/config: a name a file system may take for .git" err &&
	grep -F "README.md: an executable file" err &&
	grep -F "user-sync/USER.md: a symlink" err &&
	! test -e box2/st-g/.GIT &&
	! test -e box2/st-g/evil.sh &&
	! test -e box2/st-g/README.md &&
	! test -e box2/st-g/user-sync/USER.md &&
	! test -e "$TRASH_DIRECTORY/pwned" &&
	test -f box2/st-g/inbox-b/.keep &&
	test -f box2/st-g/inbox-g/.keep &&
	(cd box2/st-g && find . -path ./.git -prune -o \( -type l -o -type f \
		-perm -100 \) -print) >bad &&
	test_must_be_empty bad &&
	git -C plain.git ls-tree --name-only main >top &&
	grep -x inbox-g top &&
	bus-recv -C box2/st-g -f id &&
	# the sparse index never took the hostile tree, even after a move
	# that brings nothing hostile itself
	(cd box2/st-g && bus-send b "after the hostile clone") >/dev/null 2>&1;
	git -C box2/st-g status --porcelain >status &&
	git -C box2/st-g ls-files --sparse >index &&
	! grep -i "^\.git/" index
'

test_done
