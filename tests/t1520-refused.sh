#!/bin/sh
test_description='a commit the hub refuses is set aside and never jams a station'
. "$BUS_SRC_DIR/tests/test-lib.sh"

BIG="a body long enough to pass 200 bytes once it is a message: $(printf "%0120d" 0)"

# refused_refs DIR: the commits set aside in station DIR, one a line.
refused_refs () {
	git -C "$1" for-each-ref --format="%(objectname)" refs/bus/refused/
}

# queued DIR: how many commits of DIR the hub does not have.
queued () {
	git -C "$1" rev-list --count origin/main..main
}

# clean DIR: the station's work tree shows its branch, nothing else.
clean () {
	git -C "$1" status --porcelain >status &&
	test_must_be_empty status
}

# field KEY: the first value of KEY in each line of JSON on stdin.
field () {
	sed -n "s/\"$1\":/\n/; s/^[^\n]*\n//; s/^null.*//p; s/^\"\([^\"]*\)\".*/\1/p"
}

test_expect_success 'set up a hub and three stations; the hub takes 200 bytes' '
	setup_bus a b c >/dev/null &&
	git -C hub.git config bus.maxSize 200
'

test_expect_success 'a message the hub refuses: 65, set aside, named, the branch on the hub' '
	before=$(hub_tip) &&
	(cd st-a && test_expect_code 65 bus-send b "$BIG") >id 2>err &&
	test $(wc -l <id) -eq 1 &&
	grep "the hub refused the push; set aside under refs/bus/refused/" err &&
	grep "larger than 200 bytes" err &&
	grep "bus-send: 1 message from a" err &&
	test "$(hub_tip)" = "$before" &&
	refused_refs st-a >aside &&
	test $(wc -l <aside) -eq 1 &&
	commit=$(cat aside) &&
	grep "$(echo $commit | cut -c1-12)" err &&
	test "$(git -C st-a rev-parse refs/bus/refused/$commit)" = "$commit" &&
	git -C st-a cat-file -e "$commit:inbox-b/$(cat id).json" &&
	test "$(git -C st-a rev-parse main)" = "$before" &&
	test "$(queued st-a)" = 0 &&
	! test -e "st-a/inbox-b/$(cat id).json" &&
	clean st-a &&
	grep "^$commit	" st-a/.git/bus-refused
'

test_expect_success 'the next send works and lands' '
	(cd st-a && bus-send b "small") >id2 &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id2).json" &&
	test "$(queued st-a)" = 0 &&
	bus-recv -C st-b -f id >got &&
	test_cmp id2 got
'

test_expect_success 'bus-status: the message is refused, with the hub'"'"'s reason' '
	commit=$(cat aside) &&
	bus-status -C st-a "$(cat id)" >out &&
	echo refused >expect &&
	field state <out >got &&
	test_cmp expect got &&
	echo "inbox-b/$(cat id).json" >expect &&
	field path <out >got &&
	test_cmp expect got &&
	sed "s/.*\"refused\"://" out | field commit >got &&
	echo "$commit" >expect &&
	test_cmp expect got &&
	sed "s/.*\"refused\"://" out | field reason >reason &&
	grep "larger than 200 bytes" reason &&
	grep "\"type\":\"note\"" out &&
	bus-status -C st-a -f text "$(cat id)" >text &&
	grep "^refused .*$(cat id) .*refused by the hub .*($(echo $commit | cut -c1-12)): .*larger than 200 bytes" text
'

test_expect_success 'bus-status: the listing of recent sends shows it refused' '
	bus-status -C st-a >out &&
	grep "\"id\":\"$(cat id)\".*\"state\":\"refused\"" out &&
	grep "\"id\":\"$(cat id2)\".*\"state\":\"delivered\"" out &&
	bus-status -C st-a -f text >text &&
	grep "^refused .*$(cat id)" text
'

test_expect_success 'nothing lost: the set-aside commit holds the message, whole' '
	commit=$(cat aside) &&
	git -C st-a cat-file -e "$commit" &&
	git -C st-a show "refs/bus/refused/$commit:inbox-b/$(cat id).json" >msg &&
	grep "$BIG" msg &&
	git -C st-a log --format=%s -1 "refs/bus/refused/$commit" >subject &&
	echo "bus-send: 1 message from a" >expect &&
	test_cmp expect subject
'

test_expect_success 'dropped: a deleted ref is no longer reported' '
	commit=$(cat aside) &&
	git -C st-a update-ref -d "refs/bus/refused/$commit" &&
	test_expect_code 66 bus-status -C st-a -n "$(cat id)" 2>err &&
	grep "no such message" err
'

test_expect_success 'two queued, the first refused: the second is replayed and delivered' '
	(cd st-a && bus-send --no-push b "$BIG") >big &&
	(cd st-a && bus-send --no-push c "small after big") >small &&
	test "$(queued st-a)" = 2 &&
	refused_refs st-a >before &&
	(cd st-a && test_expect_code 65 bus-sync) >out 2>err &&
	grep "larger than 200 bytes" err &&
	git -C hub.git cat-file -e "main:inbox-c/$(cat small).json" &&
	! git -C hub.git cat-file -e "main:inbox-b/$(cat big).json" &&
	refused_refs st-a >after &&
	test $(comm -13 before after | wc -l) -eq 1 &&
	commit=$(comm -13 before after) &&
	git -C st-a cat-file -e "$commit:inbox-b/$(cat big).json" &&
	test "$(queued st-a)" = 0 &&
	test "$(git -C st-a rev-parse main)" = "$(hub_tip)" &&
	clean st-a &&
	test -f "st-a/inbox-c/$(cat small).json" &&
	! test -f "st-a/inbox-b/$(cat big).json" &&
	(cd st-a && bus-sync) >out &&
	bus-status -C st-a "$(cat small)" "$(cat big)" >out &&
	grep "\"state\":\"delivered\"" out &&
	grep "\"state\":\"refused\"" out
'

test_expect_success 'sent again: the commit cherry-picked once the hub takes it, then dropped' '
	refused_refs st-a >before &&
	(cd st-a && test_expect_code 65 bus-send b "$BIG, again") >id 2>err &&
	refused_refs st-a >after &&
	commit=$(comm -13 before after) &&
	git -C hub.git config bus.maxSize 1000 &&
	git -C st-a cherry-pick "refs/bus/refused/$commit" >/dev/null &&
	test "$(queued st-a)" = 1 &&
	(cd st-a && bus-sync) >/dev/null &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	bus-status -C st-a "$(cat id)" >out &&
	grep "\"state\":\"delivered\"" out &&
	git -C st-a update-ref -d "refs/bus/refused/$commit" &&
	refused_refs st-a >now &&
	test_cmp before now &&
	clean st-a &&
	git -C hub.git config bus.maxSize 200
'

test_expect_success 'a commit that builds on a refused one is set aside too' '
	(cd st-a && bus-send --no-push -i self-big a "$BIG") &&
	(cd st-a && bus-ack -n --no-push self-big) &&
	(cd st-a && bus-send --no-push c "independent") >indep &&
	test "$(queued st-a)" = 3 &&
	refused_refs st-a >before &&
	(cd st-a && test_expect_code 65 bus-sync) >out 2>err &&
	grep "larger than 200 bytes" err &&
	grep "builds on" err &&
	refused_refs st-a >after &&
	test $(comm -13 before after | wc -l) -eq 2 &&
	git -C hub.git cat-file -e "main:inbox-c/$(cat indep).json" &&
	hub_files >files &&
	! grep self-big files &&
	test "$(queued st-a)" = 0 &&
	clean st-a &&
	! test -f st-a/inbox-a/self-big.json &&
	test -z "$(find st-a/archive-a -name self-big.json)" &&
	bus-status -C st-a self-big >out &&
	grep "\"state\":\"refused\"" out &&
	(cd st-a && bus-sync) >/dev/null
'

for tool in bus-recv bus-sync bus-ack; do
	test_expect_success "$tool meets a refused queued commit: 65, set aside, the next one works" '
		(cd st-a && bus-send c "for c") >forc &&
		bus-recv -C st-c -f id >/dev/null &&
		refused_refs st-c >before &&
		(cd st-c && bus-send --no-push b "$BIG") >big &&
		case $tool in
		bus-ack) cmd="bus-ack $(cat forc)" ;;
		bus-recv) cmd="bus-recv -f id" ;;
		bus-sync) cmd="bus-sync" ;;
		esac &&
		(cd st-c && test_expect_code 65 $cmd) >out 2>err &&
		grep "the hub refused the push" err &&
		grep "larger than 200 bytes" err &&
		refused_refs st-c >after &&
		test $(comm -13 before after | wc -l) -eq 1 &&
		test "$(queued st-c)" = 0 &&
		clean st-c &&
		(cd st-c && $cmd) >out &&
		test "$(queued st-c)" = 0 &&
		bus-status -C st-c "$(cat big)" >out &&
		grep "\"state\":\"refused\"" out
	'
done

# count-push: git, counting the pushes in ./pushes.
cat >count-push <<EOS
#!/bin/sh
case " \$* " in
*" push "*) echo push >>"$TRASH_DIRECTORY/pushes" ;;
esac
exec git "\$@"
EOS
chmod +x count-push

test_expect_success 'a long queue: the refused commit is found by halves, in few pushes' '
	: >ids &&
	for i in 1 2 3 4 5; do
		(cd st-a && bus-send --no-push c "before $i") >>ids || exit 1
	done &&
	(cd st-a && bus-send --no-push c "$BIG, sixth") >big &&
	for i in 7 8 9; do
		(cd st-a && bus-send --no-push c "after $i") >>ids || exit 1
	done &&
	test "$(queued st-a)" = 9 &&
	refused_refs st-a >before &&
	rm -f pushes &&
	(BUS_GIT="$TRASH_DIRECTORY/count-push" && export BUS_GIT &&
		cd st-a && test_expect_code 65 bus-sync) >out 2>err &&
	test $(wc -l <pushes) -le 6 &&
	refused_refs st-a >after &&
	test $(comm -13 before after | wc -l) -eq 1 &&
	git -C st-a cat-file -e "$(comm -13 before after):inbox-c/$(cat big).json" &&
	for id in $(cat ids); do
		git -C hub.git cat-file -e "main:inbox-c/$id.json" || exit 1
	done &&
	git -C hub.git log --format=%s main -8 >subjects &&
	test $(grep -c "bus-send: 1 message from a" subjects) -eq 8 &&
	test "$(queued st-a)" = 0 &&
	clean st-a
'

# net-dies: git, except that once ./net-down-after holds a number N,
# pushes after the Nth fail as an unreachable hub does, and so does
# every fetch from then on.
cat >net-dies <<EOS
#!/bin/sh
state="$TRASH_DIRECTORY/net-down-after"
case " \$* " in
*" push "*|*" fetch "*)
	if test -s "\$state"; then
		n=\$(cat "\$state.count" 2>/dev/null || echo 0)
		case " \$* " in *" push "*) n=\$((n + 1)); echo \$n >"\$state.count" ;; esac
		if test \$n -gt \$(cat "\$state"); then
			echo "fatal: the network is down" >&2
			exit 128
		fi
	fi ;;
esac
exec git "\$@"
EOS
chmod +x net-dies

test_expect_success 'the hub away during recovery: 75, nothing lost, finished next time' '
	(cd st-a && bus-send --no-push b "$BIG one") >ids &&
	(cd st-a && bus-send --no-push b "$BIG two") >>ids &&
	(cd st-a && bus-send --no-push c "small, last") >last &&
	refused_refs st-a >before &&
	tip=$(hub_tip) &&
	echo 2 >net-down-after &&
	(BUS_GIT="$TRASH_DIRECTORY/net-dies" && export BUS_GIT &&
		cd st-a && test_expect_code 75 bus-sync) >out 2>err &&
	grep "the network is down" err &&
	grep "the rest stays queued" err &&
	test "$(hub_tip)" = "$tip" &&
	refused_refs st-a >after &&
	test $(comm -13 before after | wc -l) -eq 1 &&
	git -C st-a cat-file -e "$(comm -13 before after):inbox-b/$(head -n 1 ids).json" &&
	test "$(queued st-a)" = 2 &&
	git -C st-a cat-file -e "main:inbox-b/$(tail -n 1 ids).json" &&
	git -C st-a cat-file -e "main:inbox-c/$(cat last).json" &&
	clean st-a &&
	: >net-down-after &&
	(cd st-a && test_expect_code 65 bus-sync) >out 2>err &&
	grep "larger than 200 bytes" err &&
	refused_refs st-a >after &&
	test $(comm -13 before after | wc -l) -eq 2 &&
	git -C hub.git cat-file -e "main:inbox-c/$(cat last).json" &&
	test "$(queued st-a)" = 0 &&
	(cd st-a && bus-sync) >/dev/null &&
	bus-status -C st-a $(cat ids) >out &&
	test $(grep -c "\"state\":\"refused\"" out) -eq 2
'

test_expect_success 'the hub away before anything is set aside: all stays queued' '
	(cd st-a && bus-send --no-push b "$BIG three") >big &&
	(cd st-a && bus-send --no-push b "small three") >small &&
	refused_refs st-a >before &&
	echo 1 >net-down-after && rm -f net-down-after.count &&
	(BUS_GIT="$TRASH_DIRECTORY/net-dies" && export BUS_GIT &&
		cd st-a && test_expect_code 75 bus-sync) >out 2>err &&
	grep "the hub refused the push, then cannot fetch" err &&
	grep "the commits stay queued" err &&
	test "$(queued st-a)" = 2 &&
	refused_refs st-a >after &&
	test_cmp before after &&
	: >net-down-after &&
	(cd st-a && test_expect_code 65 bus-sync) >out 2>err &&
	test "$(queued st-a)" = 0 &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat small).json" &&
	git -C hub.git config --unset bus.maxSize
'

if command -v ssh-keygen >/dev/null 2>&1; then
test_expect_success 'signed: a send as the wrong agent is refused, set aside, then all is well' '
	make_keys a b &&
	bus-init --hub signed.git &&
	bus-init -a a --sign-key keys/a signed.git sg-a >/dev/null &&
	bus-init -a b --sign-key keys/b signed.git sg-b >/dev/null &&
	signed_hub signed.git a b &&
	bus-recv -C sg-a -f id >/dev/null &&
	before=$(git -C signed.git rev-parse main) &&
	(cd sg-a && test_expect_code 65 bus-send -a b a "from the wrong agent") >id 2>err &&
	grep "signed by a" err &&
	test "$(git -C signed.git rev-parse main)" = "$before" &&
	refused_refs sg-a >aside &&
	test $(wc -l <aside) -eq 1 &&
	git -C sg-a cat-file -e "$(cat aside):inbox-a/$(cat id).json" &&
	test "$(queued sg-a)" = 0 &&
	(cd sg-a && bus-send b "from the right agent") >id2 &&
	git -C signed.git cat-file -e "main:inbox-b/$(cat id2).json" &&
	bus-status -C sg-a -a b "$(cat id)" >out &&
	grep "\"state\":\"refused\"" out &&
	grep "signed by a" out
'
else
	test_skip 'signed: a send as the wrong agent is refused' 'no ssh-keygen'
fi

# hold-ref: git, except that the command named in ./hold-on (fetch or
# push) first holds the remote-tracking ref's lock file for three
# seconds, as a slow one does that outlives the tool which started it.
# The hub moves meanwhile, so the next fetch must take that lock.
cat >hold-ref <<EOS
#!/bin/sh
case " \$* " in
*" \$(cat "$TRASH_DIRECTORY/hold-on") "*)
	lock="\$(git rev-parse --git-dir)/refs/remotes/origin/main.lock"
	: >"\$lock" &&
	: >"$TRASH_DIRECTORY/holding" &&
	sleep 3 &&
	rm -f "\$lock" ;;
esac
exec git "\$@"
EOS
chmod +x hold-ref

# wait_for FILE: until FILE exists, for at most 20 seconds.
wait_for () {
	_n=0
	while ! test -e "$1"; do
		[ $_n -lt 200 ] || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

test_expect_success 'set up another hub, with stations a and b' '
	bus-init --hub net.git &&
	bus-init -a a net.git nt-a >/dev/null &&
	bus-init -a b net.git nt-b >/dev/null &&
	bus-recv -C nt-a -f id && bus-recv -C nt-b -f id
'

for how in "fetch bus-recv -f id" "push bus-send a orphaned"; do
	test_expect_success "the orphaned ${how%% *} of a killed ${how#* }: the next command waits for it" '
		rm -f holding &&
		echo "${how%% *}" >hold-on || exit 1
		(BUS_GIT="$TRASH_DIRECTORY/hold-ref" && export BUS_GIT &&
			cd nt-b && exec ${how#* }) >/dev/null 2>&1 &
		pid=$! &&
		wait_for holding &&
		(cd nt-a && bus-send b "the hub moves") >/dev/null &&
		kill -9 $pid &&
		{ wait $pid || :; } &&
		(cd nt-b && bus-recv -f id) >/dev/null &&
		! test -e nt-b/.git/refs/remotes/origin/main.lock &&
		clean nt-b
	'
done

test_done
