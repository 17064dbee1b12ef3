#!/bin/sh
test_description='the hub refuses every push that breaks the protocol'
. "$BUS_SRC_DIR/tests/test-lib.sh"

TS=2026-11-28T10:15:00Z
DAY=2026-11-28

# msg ID TO [TS] [FROM]: a valid message, canonical.
msg () {
	printf '{"id":"%s","ts":"%s","from":"%s","to":"%s","type":"note","body":"hi"}\n' \
		"$1" "${3:-$TS}" "${4:-a}" "$2"
}

# fresh: a plain clone (no hooks of its own) at the hub's tip.
fresh () {
	rm -rf raw && git clone -q hub.git raw
}

# commit_all MSG: commit everything in raw, bypassing local hooks.
commit_all () {
	git -C raw add -A && git -C raw commit -q --no-verify -m "$1"
}

test_expect_success 'set up: a hub with its hook, stations a and b, one message' '
	setup_bus a b c >/dev/null &&
	test -x hub.git/hooks/pre-receive &&
	grep -q "bus-check.* --pre-receive" hub.git/hooks/pre-receive &&
	(cd st-a && bus-send -i m1 b "first") &&
	(cd st-b && bus-ack m1) &&
	(cd st-a && bus-send -i m2 b "second")
'

test_expect_success 'accepted: a valid hand-made message' '
	fresh && msg hand1 b >raw/inbox-b/hand1.json &&
	commit_all good && accepted
'

test_expect_success 'accepted: a move of a message to its archive day' '
	fresh && mkdir -p raw/archive-b/$DAY &&
	git -C raw mv inbox-b/hand1.json archive-b/$DAY/ &&
	commit_all move && accepted
'

test_expect_success 'accepted: changes outside the bus directories' '
	fresh && echo more >>raw/README.md && commit_all readme && accepted
'

test_expect_success 'accepted: a new agent with .keep files' '
	fresh && mkdir raw/inbox-d raw/archive-d &&
	: >raw/inbox-d/.keep && : >raw/archive-d/.keep &&
	commit_all join && accepted
'

test_expect_success 'accepted: other branches are not the bus' '
	fresh && printf "{" >raw/inbox-b/junk.json && commit_all junk &&
	git -C raw push -q origin HEAD:refs/heads/scratch
'

test_expect_success 'refused: invalid JSON' '
	fresh && printf "{\"id\":\"x\",}" >raw/inbox-b/x.json &&
	commit_all bad && refused "inbox-b/x.json: invalid JSON: trailing comma"
'

test_expect_success 'refused: addressed to another agent' '
	fresh && msg x c >raw/inbox-b/x.json &&
	commit_all bad && refused "inbox-b/x.json: to: \"c\" but the file is in inbox-b/"
'

test_expect_success 'refused: id is not the file name' '
	fresh && msg y b >raw/inbox-b/x.json &&
	commit_all bad && refused "does not match the file name"
'

test_expect_success 'refused: a missing field' '
	fresh && printf "{\"id\":\"x\",\"ts\":\"%s\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\"}" $TS >raw/inbox-b/x.json &&
	commit_all bad && refused "inbox-b/x.json: body: missing"
'

test_expect_success 'refused: a ts that is no date' '
	fresh && msg x b 2026-02-30T00:00:00Z >raw/inbox-b/x.json &&
	commit_all bad && refused "inbox-b/x.json: ts:"
'

test_expect_success 'refused: a duplicate key' '
	fresh && printf "{\"id\":\"x\",\"id\":\"x\"}" >raw/inbox-b/x.json &&
	commit_all bad && refused "duplicate key"
'

test_expect_success 'refused: larger than bus.maxSize' '
	fresh && { printf "{\"id\":\"x\",\"ts\":\"%s\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"" $TS &&
		head -c 70000 /dev/zero | tr "\0" x && printf "\"}"; } >raw/inbox-b/x.json &&
	commit_all bad && refused "larger than 65536 bytes"
'

test_expect_success 'refused: nesting deeper than 64, and a quadratic trap, quickly' '
	fresh && { printf "{\"id\":\"x\",\"x\":" && head -c 60000 /dev/zero | tr "\0" "[" &&
		printf "}"; } >raw/inbox-b/x.json &&
	commit_all bad && refused "nesting deeper than 64"
'

test_expect_success 'refused: a NUL byte' '
	fresh && { msg x b | tr -d "\n" && printf "\0"; } >raw/inbox-b/x.json &&
	commit_all bad && refused "NUL byte"
'

test_expect_success 'refused: a byte-order mark' '
	fresh && { printf "\357\273\277" && msg x b; } >raw/inbox-b/x.json &&
	commit_all bad && refused "byte-order mark"
'

test_expect_success 'refused: a file that is not <id>.json' '
	fresh && echo notes >raw/inbox-b/notes.txt &&
	commit_all bad && refused "inbox-b/notes.txt: file name is not <id>.json"
'

test_expect_success 'refused: a subdirectory in an inbox' '
	fresh && mkdir raw/inbox-b/sub && msg x b >raw/inbox-b/sub/x.json &&
	commit_all bad && refused "inbox-b/sub/x.json: not right in inbox-<agent>/"
'

test_expect_success 'refused: a symlink' '
	fresh && ln -s ../README.md raw/inbox-b/x.json &&
	commit_all bad && refused "a symlink"
'

test_expect_success 'refused: a submodule' '
	fresh && git -C raw update-index --add --cacheinfo \
		160000,$(git -C raw rev-parse HEAD),inbox-b/sub &&
	git -C raw commit -q --no-verify -m bad && refused "a submodule"
'

test_expect_success 'refused: an executable file' '
	fresh && msg x b >raw/inbox-b/x.json && chmod +x raw/inbox-b/x.json &&
	commit_all bad && refused "executable"
'

test_expect_success 'refused: an inbox for a name that is no agent' '
	fresh && mkdir raw/inbox-B && msg x b >raw/inbox-B/x.json &&
	commit_all bad && refused "B is not an agent name"
'

test_expect_success 'refused: a control character in a file name' '
	fresh && msg x b >"raw/inbox-b/x$(printf "\t")y.json" &&
	commit_all bad && refused "a name with a control character"
'

test_expect_success 'refused: two names that differ only in case' '
	fresh && msg M2 b >raw/inbox-b/M2.json &&
	commit_all bad && refused "the same name but for case"
'

test_expect_success 'refused: a message modified in the inbox' '
	fresh && msg m2 b 2026-11-28T11:00:00Z >raw/inbox-b/m2.json &&
	commit_all bad && refused "inbox-b/m2.json: a message file is never modified"
'

test_expect_success 'refused: an archived message modified' '
	fresh && f=$(cd raw && ls archive-b/*/m1.json) &&
	echo " " >>raw/$f && commit_all bad && refused "never modified"
'

test_expect_success 'refused: an archived day removed (no bus.retainDays)' '
	fresh && git -C raw rm -q archive-b/*/m1.json &&
	commit_all bad &&
	refused "removing archive days is off on this hub (bus.retainDays is not set)"
'

test_expect_success 'refused: a message removed from the inbox, not archived' '
	fresh && git -C raw rm -q inbox-b/m2.json &&
	commit_all bad && refused "removed from the inbox without being moved"
'

test_expect_success 'refused: moved into the archive of another agent' '
	fresh && mkdir -p raw/archive-c/$DAY &&
	git -C raw mv inbox-b/m2.json archive-c/$DAY/ &&
	commit_all bad && refused "inbox-b/m2.json: removed from the inbox"
'

test_expect_success 'refused: moved into the wrong archive day' '
	fresh && mkdir -p raw/archive-b/2026-11-27 &&
	git -C raw mv inbox-b/m2.json archive-b/2026-11-27/ &&
	commit_all bad && refused "is not on the archive day 2026-11-27"
'

test_expect_success 'refused: moved with its content changed' '
	fresh && mkdir -p raw/archive-b/$(git -C raw show main:inbox-b/m2.json | cut -c33-42) &&
	day=$(git -C raw show main:inbox-b/m2.json | sed "s/.*\"ts\":\"\([0-9-]*\)T.*/\1/") &&
	mkdir -p raw/archive-b/$day &&
	git -C raw mv inbox-b/m2.json archive-b/$day/ &&
	sed "s/second/changed/" raw/archive-b/$day/m2.json >tmp &&
	mv tmp raw/archive-b/$day/m2.json &&
	commit_all bad && refused "removed from the inbox without being moved"
'

test_expect_success 'refused: moved into the flat archive (the day is required)' '
	fresh && git -C raw mv inbox-b/m2.json archive-b/ &&
	commit_all bad && refused "inbox-b/m2.json: removed from the inbox"
'

test_expect_success 'refused: an archived message added for another owner' '
	fresh && mkdir -p raw/archive-b/$DAY && msg z c >raw/archive-b/$DAY/z.json &&
	commit_all bad && refused "to: \"c\" but the file is in archive-b/"
'

test_expect_success 'refused: a path too deep in an archive' '
	fresh && mkdir -p raw/archive-b/$DAY/x && msg z b >raw/archive-b/$DAY/x/z.json &&
	commit_all bad && refused "archive-b/$DAY/x/z.json"
'

test_expect_success 'refused: a .keep that is not empty' '
	fresh && echo x >raw/inbox-b/.keep &&
	commit_all bad && refused "never modified"
'

test_expect_success 'refused: a .keep in the wrong place' '
	fresh && mkdir -p raw/archive-b/$DAY && : >raw/archive-b/$DAY/.keep &&
	commit_all bad && refused "archive-b/$DAY/.keep: not right in archive-<agent>/"
'

test_expect_success 'refused: files nested in another directory of the bus' '
	fresh && mkdir -p raw/inbox-b/archive-c raw/inbox-b/inbox-c \
		raw/archive-b/archive-c/$DAY &&
	msg p1 c >raw/inbox-b/archive-c/p1.json &&
	msg p3 c >raw/inbox-b/inbox-c/p3.json &&
	msg p2 c >raw/archive-b/archive-c/$DAY/p2.json &&
	commit_all bad &&
	refused "inbox-b/archive-c/p1.json: not right in inbox-<agent>/" &&
	grep -F "inbox-b/inbox-c/p3.json: not right" err &&
	grep -F "archive-b/archive-c/$DAY/p2.json: not right in archive-<agent>/" err
'

test_expect_success 'refused: a bad commit that reached the hub on another branch' '
	fresh && printf "{" >raw/inbox-b/sneak.json && commit_all sneak &&
	git -C raw push -q origin HEAD:refs/heads/sideways &&
	refused "inbox-b/sneak.json: invalid JSON"
'

test_expect_success 'refused: a merge, which could bring back any tree' '
	fresh && root=$(git -C raw rev-list --max-parents=0 HEAD) &&
	m=$(git -C raw commit-tree "$root^{tree}" -p "$root" -p HEAD -m evil) &&
	git -C raw reset -q --hard $m &&
	refused "the bus history is linear"
'

test_expect_success 'refused: a force push' '
	fresh && git -C raw reset -q --hard HEAD~1 &&
	msg w b >raw/inbox-b/w.json && commit_all other &&
	_before=$(hub_tip) &&
	test_must_fail git -C raw push -q -f origin HEAD:main 2>err &&
	grep "refs/heads/main: not a fast-forward" err &&
	test "$(hub_tip)" = "$_before"
'

test_expect_success 'refused: deleting the bus branch' '
	_before=$(hub_tip) &&
	test_must_fail git -C raw push -q origin :main 2>err &&
	grep "refs/heads/main: the bus branch is never deleted" err &&
	test "$(hub_tip)" = "$_before"
'

test_expect_success 'refused: a force push to a commit the branch had before' '
	_before=$(hub_tip) &&
	test_must_fail git -C raw push -q -f origin "$_before~1:main" 2>err &&
	grep "refs/heads/main: not a fast-forward" err &&
	test "$(hub_tip)" = "$_before"
'

test_expect_success 'refused: a good commit and a bad one in one push, whole' '
	fresh && msg g1 b >raw/inbox-b/g1.json && commit_all good &&
	printf "{" >raw/inbox-b/bad.json && commit_all bad &&
	msg g2 b >raw/inbox-b/g2.json && commit_all good2 &&
	refused "inbox-b/bad.json: invalid JSON" &&
	test $(grep -c "^remote: inbox-b/" err) -eq 1
'

test_expect_success 'refused: every problem of a push is listed' '
	fresh && msg x c >raw/inbox-b/x.json && printf "{" >raw/inbox-b/y.json &&
	git -C raw rm -q inbox-b/m2.json && commit_all bad &&
	refused "inbox-b/x.json" && grep -F "inbox-b/y.json" err &&
	grep -F "inbox-b/m2.json" err && grep -F "3 problems" err
'

test_expect_success 'the refusal works inside the push quarantine: no object leaks' '
	fresh && printf "{\"quarantined\":" >raw/inbox-b/q.json && commit_all bad &&
	blob=$(git -C raw rev-parse HEAD:inbox-b/q.json) &&
	refused "inbox-b/q.json" &&
	! git -C hub.git cat-file -e $blob
'

test_expect_success 'a push of 1,000 messages in one commit is accepted' '
	fresh && i=0 && while [ $i -lt 1000 ]; do
		msg bulk-$i b >raw/inbox-b/bulk-$i.json; i=$((i + 1)); done &&
	commit_all bulk && accepted
'

test_expect_success 'bus-check --range applies the same rules' '
	fresh && printf "{" >raw/inbox-b/r.json && commit_all bad &&
	test_expect_code 65 bus-check -C raw --range origin/main..HEAD 2>err &&
	grep -F "inbox-b/r.json: invalid JSON" err &&
	bus-check -C raw --range HEAD~2..HEAD~1
'

test_expect_success 'bus-check --tree audits a whole tree' '
	bus-check -C hub.git --tree main &&
	test_expect_code 65 bus-check -C raw --tree HEAD 2>err &&
	grep -F "inbox-b/r.json" err &&
	test_expect_code 64 bus-check -C raw --tree no-such-rev
'

test_expect_success 'pre-commit: a station refuses a bad hand-made commit' '
	test -x st-b/.git/hooks/pre-commit &&
	printf "{" >st-b/inbox-b/bad.json &&
	git -C st-b add inbox-b/bad.json &&
	test_must_fail git -C st-b commit -q -m bad 2>err &&
	grep -F "inbox-b/bad.json: invalid JSON" err &&
	git -C st-b rm -q --cached inbox-b/bad.json && rm st-b/inbox-b/bad.json
'

test_expect_success 'pre-commit: modifying a message is refused, a good one passes' '
	bus-recv -q -C st-b -f id >/dev/null &&
	f=$(cd st-b && ls inbox-b/*.json | head -1) &&
	echo " " >>st-b/$f && git -C st-b add $f &&
	test_must_fail git -C st-b commit -q -m bad 2>err &&
	grep -F "never modified" err &&
	git -C st-b checkout -q HEAD -- $f &&
	msg ok1 b >st-b/inbox-b/ok1.json && git -C st-b add inbox-b/ok1.json &&
	git -C st-b commit -q -m "hand-made, valid" &&
	git -C st-b reset -q --hard HEAD~1
'

# pre_receive OLD NEW: the hub's check of a push moving main from OLD
# to NEW (already on the hub, under refs/heads/side), traced into trace.
pre_receive () {
	echo "$1 $2 refs/heads/main" |
		(cd hub.git && bus-check -v --pre-receive) 2>trace
}

test_expect_success 'one commit on the tip is checked without rev-list, two are listed' '
	fresh &&
	old=$(git -C hub.git rev-parse main) &&
	mkdir -p raw/inbox-b &&
	msg one-1 b >raw/inbox-b/one-1.json && commit_all "one" &&
	git -C raw push -q origin HEAD:refs/heads/side &&
	pre_receive "$old" "$(git -C raw rev-parse HEAD)" &&
	! grep " rev-list " trace &&
	grep " diff-tree .*--format" trace &&
	echo "{not json" >raw/inbox-b/one-2.json && commit_all "bad" &&
	git -C raw push -q -f origin HEAD:refs/heads/side &&
	test_expect_code 65 pre_receive "$old" "$(git -C raw rev-parse HEAD)" &&
	grep " rev-list " trace &&
	grep "inbox-b/one-2.json" trace &&
	# the same bad commit alone, on the tip before it
	test_expect_code 65 pre_receive "$(git -C raw rev-parse HEAD^)" \
		"$(git -C raw rev-parse HEAD)" &&
	! grep " rev-list " trace &&
	grep "inbox-b/one-2.json" trace &&
	git -C hub.git update-ref -d refs/heads/side
'

# A git for the hook that shows what runs at the same time: the
# settings' config waits (up to 5 s) for the diff-tree and the cat-file
# to have started, and says whether they had.
cat >together-git <<EOS
#!/bin/sh
for a; do case \$a in -*) ;; *) cmd=\$a; break;; esac; done
case \$cmd in
diff-tree|cat-file) : >"$TRASH_DIRECTORY/started-\$cmd" ;;
config)
	n=0
	while [ \$n -lt 50 ] && ! { test -e "$TRASH_DIRECTORY/started-diff-tree" &&
		test -e "$TRASH_DIRECTORY/started-cat-file"; }; do
		sleep 0.1; n=\$((n + 1))
	done
	test \$n -lt 50 && echo together >>"$TRASH_DIRECTORY/config-saw" ||
		echo apart >>"$TRASH_DIRECTORY/config-saw" ;;
esac
exec git "\$@"
EOS
chmod +x together-git

# A git whose cat-file --batch ends before it answers anything.
cat >mute-cat-git <<EOS
#!/bin/sh
for a; do case \$a in -*) ;; *) cmd=\$a; break;; esac; done
test "\$cmd" = cat-file && exit 1
exec git "\$@"
EOS
chmod +x mute-cat-git

test_expect_success 'the one commit diff and the cat-file start while the settings are read' '
	fresh &&
	old=$(git -C hub.git rev-parse main) &&
	msg beside-1 b >raw/inbox-b/beside-1.json && commit_all "beside" &&
	git -C raw push -q origin HEAD:refs/heads/side &&
	rm -f started-* config-saw &&
	(BUS_GIT="$TRASH_DIRECTORY/together-git" && export BUS_GIT &&
		pre_receive "$old" "$(git -C raw rev-parse HEAD)") &&
	echo together >expect && test_cmp expect config-saw &&
	test $(grep -c " diff-tree " trace) = 1 &&
	test $(grep -c " cat-file --batch" trace) = 1 &&
	git -C hub.git update-ref -d refs/heads/side
'

test_expect_success 'a cat-file that ends before it answers refuses the push, named' '
	fresh &&
	old=$(git -C hub.git rev-parse main) &&
	msg mute-1 b >raw/inbox-b/mute-1.json && commit_all "mute" &&
	git -C raw push -q origin HEAD:refs/heads/side &&
	new=$(git -C raw rev-parse HEAD) &&
	(BUS_GIT="$TRASH_DIRECTORY/mute-cat-git" && export BUS_GIT &&
		! pre_receive "$old" "$new") &&
	grep "git cat-file --batch: ended before it answered" trace &&
	pre_receive "$old" "$new" &&
	git -C hub.git update-ref -d refs/heads/side
'

test_expect_success 'a hook input line of two fields is named, not read on into the next' '
	old=$(git -C hub.git rev-parse main) &&
	printf "%s %s\n%s %s refs/heads/main\n" "$old" "$old" "$old" "$old" |
		(cd hub.git && test_must_fail bus-check --pre-receive) 2>err &&
	grep "unexpected hook input: $old $old\$" err
'

test_expect_success 'a directory name with a newline is refused as a path, not misread' '
	fresh && msg nlcase b >raw/inbox-b/nlcase.json && commit_all base &&
	git -C raw push -q origin HEAD:main &&
	blob=$(msg nl-1 a | git -C raw hash-object -w --stdin) &&
	git -C raw update-index --add --cacheinfo 100644,$blob,"inbox-a/x
y/nl-1.json" &&
	# after it in the directories read: a name that is another but for case
	msg NLcase b >raw/inbox-b/NLcase.json && git -C raw add inbox-b &&
	git -C raw commit -q --no-verify -m "newline" &&
	test_must_fail git -C raw push origin HEAD:main 2>err &&
	grep "push refused: 2 problems" err &&
	grep "inbox-a/x" err &&
	grep "inbox-b/NLcase.json: another file here has the same name but for case" err &&
	! grep "unexpected output" err &&
	git -C hub.git rev-parse main >after &&
	git -C raw rev-parse origin/main >before && test_cmp before after
'

test_expect_success 'a tool whose push the hub refuses says so at once (65)' '
	git -C hub.git config bus.maxSize 150 &&
	before=$(hub_tip) &&
	(cd st-a && test_expect_code 65 bus-send b \
		"a body long enough to pass 150 bytes once it is a message") 2>err &&
	grep "the hub refused the push" err &&
	grep "larger than 150 bytes" err &&
	test "$(hub_tip)" = "$before" &&
	git -C st-a for-each-ref --format="%(refname)" refs/bus/refused/ >refs &&
	test $(wc -l <refs) = 1 &&
	(cd st-a && bus-recv -f id) >out 2>err &&
	test_must_be_empty err &&
	git -C hub.git config --unset bus.maxSize
'

test_expect_success 'bus-init --hub installs the hook into an existing bare repository' '
	git init -q --bare plain.git &&
	bus-init --hub plain.git &&
	grep -q -- "--pre-receive" plain.git/hooks/pre-receive &&
	echo "#!/bin/sh" >plain.git/hooks/pre-receive &&
	bus-init --hub plain.git 2>err &&
	grep "a hook of your own is there" err
'

test_expect_success 'the hooks are copies of bus-check: one process, no shell' '
	bus-init --hub copy.git &&
	cmp copy.git/hooks/pre-receive "$(command -v bus-check)" &&
	test -x copy.git/hooks/pre-receive && ! test -h copy.git/hooks/pre-receive &&
	bus-init -a a copy.git copy-a >/dev/null &&
	cmp copy-a/.git/hooks/pre-commit "$(command -v bus-check)" &&
	# called by the name of the hook, it is that hook (every hub of
	# these tests refuses through its copy)
	printf "{}" >copy-a/inbox-a/bad.json &&
	git -C copy-a add inbox-a/bad.json &&
	test_must_fail git -C copy-a commit -q -m bad 2>err &&
	grep "bad.json" err
'

test_expect_success 'bus-init replaces the script hook of an earlier version' '
	printf "#!/bin/sh\n# installed by bus-init: the git-bus hub'"'"'s guard; see bus-check(1)\nexec bus-check --pre-receive\n" >copy.git/hooks/pre-receive &&
	bus-init --hub copy.git 2>err &&
	test_must_be_empty err &&
	cmp copy.git/hooks/pre-receive "$(command -v bus-check)"
'

test_done
