#!/bin/sh
test_description='bus-gc --keep DAYS, and the hub'"'"'s bus.retainDays'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# day_ago N: the UTC day N days before today, YYYY-MM-DD.
day_ago () {
	_s=$(($(date +%s) - $1 * 86400))
	date -u -d "@$_s" +%Y-%m-%d 2>/dev/null || date -u -r "$_s" +%Y-%m-%d
}

D40=$(day_ago 40)
D35=$(day_ago 35)
D20=$(day_ago 20)
D10=$(day_ago 10)

# msg ID TO DAY [FROM]: a valid message written on DAY, canonical.
msg () {
	printf '{"id":"%s","ts":"%sT10:00:00Z","from":"%s","to":"%s","type":"note","body":"old"}\n' \
		"$1" "$3" "${4:-c}" "$2"
}

# archive AGENT DAY ID...: files in raw's archive of AGENT on DAY.
archive () {
	_a=$1 _d=$2
	shift 2
	mkdir -p "raw/archive-$_a/$_d" &&
	for _id in "$@"; do
		msg "$_id" "$_a" "$_d" >"raw/archive-$_a/$_d/$_id.json" || return 1
	done
}

fresh () {
	rm -rf raw && git clone -q hub.git raw
}

commit_all () {
	git -C raw add -A && git -C raw commit -q --no-verify -m "$1"
}

# days AGENT [REV]: the day directories of AGENT's archive on the hub.
days () {
	git -C hub.git ls-tree -d --name-only "${2:-main}" -- "archive-$1/"
}

# clean DIR: the station's work tree shows its branch, nothing else.
clean () {
	git -C "$1" status --porcelain >status &&
	test_must_be_empty status
}

test_expect_success 'set up: stations a (sparse), b (full), c (bare); old archives' '
	bus-init --hub hub.git &&
	bus-init -a a hub.git st-a >/dev/null &&
	bus-init --full -a b hub.git st-b >/dev/null &&
	bus-init --bare -a c hub.git st-c.git >/dev/null &&
	fresh &&
	archive a "$D40" a40x a40y && archive a "$D35" a35 &&
	archive a "$D20" a20 && archive a "$D10" a10 &&
	msg aflat a "$D40" >raw/archive-a/aflat.json &&
	archive b "$D40" b40 && archive b "$D35" b35 && archive b "$D20" b20 &&
	archive c "$D40" c40 && archive c "$D10" c10 &&
	commit_all "old archives" && accepted &&
	git -C hub.git rev-parse main >planted &&
	for s in st-a st-b st-c.git; do
		bus-recv -C $s -f id >/dev/null || exit 1
	done
'

test_expect_success 'a bad --keep, none, or an operand: 64, nothing done' '
	for k in x -1 1.5 "" 100001 30d; do
		test_expect_code 64 bus-gc -C st-a --keep "$k" 2>err &&
		grep "^bus-gc: --keep $k: " err || exit 1
	done &&
	test_expect_code 64 bus-gc -C st-a 2>err &&
	grep "^usage: bus-gc" err &&
	test_expect_code 64 bus-gc -C st-a --keep 30 extra 2>err &&
	grep "^usage: bus-gc" err &&
	test "$(hub_tip)" = "$(cat planted)"
'

test_expect_success '--dry-run prints the days that would go, commits nothing' '
	printf "archive-a/%s\narchive-a/%s\n" "$D40" "$D35" >expect &&
	bus-gc -C st-a --dry-run --keep 30 >out &&
	test_cmp expect out &&
	test "$(git -C st-a rev-parse main)" = "$(cat planted)" &&
	test "$(hub_tip)" = "$(cat planted)" &&
	printf "archive-a/%s\n" "$D40" >expect &&
	bus-gc -C st-a --dry-run -k 36 >out &&
	test_cmp expect out
'

test_expect_success '-n: no fetch, so a hub away is no failure' '
	mv hub.git hub.off &&
	bus-gc -C st-c.git -n --dry-run --keep 30 >out &&
	test_expect_code 75 bus-gc -C st-c.git --dry-run --keep 30 >out2 2>err &&
	mv hub.off hub.git &&
	printf "archive-c/%s\n" "$D40" >expect &&
	test_cmp expect out &&
	test_cmp expect out2
'

test_expect_success 'a hub without bus.retainDays refuses; the reason is shown' '
	before=$(hub_tip) &&
	test_expect_code 65 bus-gc -C st-a --keep 30 >out 2>err &&
	grep "archive-a/$D40: removing archive days is off on this hub (bus.retainDays is not set)" err &&
	grep "set aside under refs/bus/refused/" err &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C st-a rev-parse main)" = "$before" &&
	git -C st-a for-each-ref refs/bus/refused/ >aside &&
	test $(wc -l <aside) -eq 1 &&
	clean st-a
'

test_expect_success 'a --keep shorter than the hub allows is refused; the station goes on' '
	git -C hub.git config bus.retainDays 30 &&
	before=$(hub_tip) &&
	test_expect_code 65 bus-gc -C st-a --keep 1 >out 2>err &&
	printf "archive-a/%s\n" "$D40" "$D35" "$D20" "$D10" >expect &&
	test_cmp expect out &&
	grep "archive-a/$D10: inside this hub'"'"'s retention of 30 days" err &&
	grep "archive-a/$D20: inside this hub'"'"'s retention of 30 days" err &&
	! grep "archive-a/$D40: inside" err &&
	test "$(hub_tip)" = "$before" &&
	days a >got && printf "archive-a/%s\n" "$D40" "$D35" "$D20" "$D10" >expect &&
	test_cmp expect got &&
	git -C st-a for-each-ref refs/bus/refused/ >aside &&
	test $(wc -l <aside) -eq 2 &&
	clean st-a &&
	bus-send -C st-a b "still works" >id &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	bus-recv -C st-b -f id >got &&
	test_cmp id got
'

test_expect_success 'bus-gc --keep 30: the days beyond the retention go, in one commit' '
	before=$(hub_tip) &&
	bus-gc -C st-a --keep 30 >out &&
	printf "archive-a/%s\n" "$D40" "$D35" >expect &&
	test_cmp expect out &&
	test "$(git -C hub.git rev-parse main^)" = "$before" &&
	test "$(git -C st-a rev-parse main)" = "$(hub_tip)" &&
	days a >got && printf "archive-a/%s\n" "$D20" "$D10" >expect &&
	test_cmp expect got &&
	hub_files archive-a >files &&
	grep -x archive-a/aflat.json files &&
	grep -x archive-a/.keep files &&
	git -C hub.git diff-tree -r --name-status main^ main >diff &&
	printf "D\tarchive-a/%s\n" "$D40/a40x.json" "$D40/a40y.json" "$D35/a35.json" >expect &&
	test_cmp expect diff &&
	git -C hub.git log -1 --format=%s main >subject &&
	grep "^bus-gc: 2 days of archive-a before ....-..-.. removed$" subject &&
	clean st-a
'

test_expect_success 'history keeps every message' '
	git -C hub.git cat-file -p "$(cat planted):archive-a/$D40/a40x.json" >old &&
	msg a40x a "$D40" >expect &&
	test_cmp expect old &&
	git -C hub.git log --format=%H main -- "archive-a/$D35/a35.json" >log &&
	test $(wc -l <log) -eq 2
'

test_expect_success 'nothing more to do: no output, no commit, exit 0' '
	before=$(hub_tip) &&
	bus-gc -C st-a --keep 30 >out &&
	test_must_be_empty out &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C st-a rev-parse main)" = "$before"
'

test_expect_success 'a bare station, and as git bus-gc, quiet' '
	mkdir gitbin && ln -s "$(command -v bus-gc)" gitbin/git-bus-gc &&
	(PATH="$TRASH_DIRECTORY/gitbin:$PATH" && export PATH &&
		cd st-c.git && git bus-gc -q --keep 30 >../out) &&
	test_must_be_empty out &&
	days c >got && printf "archive-c/%s\n" "$D10" >expect &&
	test_cmp expect got &&
	test "$(git -C st-c.git rev-parse main)" = "$(hub_tip)"
'

test_expect_success 'pre-commit: a station removes days of its own archive only' '
	bus-recv -C st-b -f id >/dev/null &&
	test -f "st-b/archive-a/$D20/a20.json" &&
	git -C st-b rm -r -q "archive-a/$D20" &&
	test_must_fail git -C st-b commit -q -m "not mine" 2>err &&
	grep "archive-a/$D20: a station removes days of its own agent'"'"'s archive only (this is b'"'"'s)" err &&
	git -C st-b reset -q --hard &&
	git -C st-b rm -r -q "archive-b/$D40" &&
	git -C st-b commit -q -m "b drops a day by hand" &&
	bus-sync -C st-b -q &&
	days b >got && printf "archive-b/%s\n" "$D35" "$D20" >expect &&
	test_cmp expect got
'

test_expect_success 'pre-commit: part of a day is refused' '
	git -C st-b rm -q "archive-b/$D35/b35.json" &&
	mkdir -p "st-b/archive-b/$D35" &&
	msg b35z b "$D35" >"st-b/archive-b/$D35/b35z.json" &&
	git -C st-b add "archive-b/$D35/b35z.json" &&
	test_must_fail git -C st-b commit -q -m "half a day" 2>err &&
	grep "archive-b/$D35: not the whole day" err &&
	git -C st-b reset -q --hard
'

test_expect_success 'a full station loses the files from its work tree' '
	bus-gc -C st-b --keep 30 >out &&
	printf "archive-b/%s\n" "$D35" >expect &&
	test_cmp expect out &&
	! test -e "st-b/archive-b/$D35" &&
	test -f "st-b/archive-b/$D20/b20.json" &&
	days b >got && printf "archive-b/%s\n" "$D20" >expect &&
	test_cmp expect got &&
	clean st-b
'

test_expect_success 'by hand, with plain git push: what the hub refuses' '
	fresh && archive a "$D40" back1 back2 && commit_all "an old day again" &&
	accepted &&
	fresh && git -C raw rm -q "archive-a/$D40/back1.json" &&
	commit_all "part of a day" && refused "archive-a/$D40: not the whole day" &&
	fresh && git -C raw rm -q -r "archive-a/$D40" &&
	archive a "$D40" other && commit_all "a day removed and added to" &&
	refused "archive-a/$D40: not the whole day" &&
	fresh && git -C raw rm -q archive-a/aflat.json &&
	commit_all "flat" &&
	refused "archive-a/aflat.json: archived messages are never removed, but for whole days" &&
	fresh && git -C raw rm -q archive-a/.keep &&
	commit_all "keep" && refused "archive-a/.keep: archived messages are never removed" &&
	fresh && git -C raw rm -q -r "archive-a/$D20" &&
	commit_all "inside" &&
	refused "archive-a/$D20: inside this hub'"'"'s retention of 30 days"
'

test_expect_success 'by hand: a whole old day goes, and a garbage setting stops it' '
	fresh && git -C raw rm -q -r "archive-a/$D40" && commit_all "old day" &&
	git -C hub.git config bus.retainDays thirty &&
	refused "archive-a/$D40: removing archive days is off on this hub (bus.retainDays is not a number of days)" &&
	git -C hub.git config bus.retainDays 0 &&
	refused "(bus.retainDays is 0)" &&
	git -C hub.git config bus.retainDays 30 &&
	accepted
'

test_expect_success 'bus-check --range judges removals as the hub does' '
	git -C hub.git config --unset bus.retainDays &&
	test_expect_code 65 bus-check -C hub.git --range main^..main 2>err &&
	grep "archive-a/$D40: removing archive days is off" err &&
	git -C hub.git config bus.retainDays 30 &&
	bus-check -C hub.git --range main^..main
'

test_expect_success 'behind the hub (-n): the commit is replayed on its tip' '
	fresh && archive a "$D35" again && commit_all "an old day again" &&
	accepted &&
	bus-recv -C st-a -f id >/dev/null &&
	bus-send -C st-b c "meanwhile" >id &&
	moved=$(hub_tip) &&
	bus-gc -C st-a -n --keep 30 >out &&
	printf "archive-a/%s\n" "$D35" >expect &&
	test_cmp expect out &&
	test "$(git -C hub.git rev-parse main^)" = "$moved" &&
	git -C hub.git cat-file -e "main:inbox-c/$(cat id).json" &&
	days a >got && printf "archive-a/%s\n" "$D20" "$D10" >expect &&
	test_cmp expect got &&
	if hub_queued; then
		# the hub folded it with a merge, which the next fetch brings
		bus-recv -C st-a -f id >/dev/null
	fi &&
	test "$(git -C st-a rev-parse main)" = "$(hub_tip)" &&
	clean st-a
'

if ! command -v ssh-keygen >/dev/null 2>&1; then
	test_skip 'signed mode' 'ssh-keygen is not installed'
	test_done
fi

test_expect_success 'signed: set up a new hub with old archives of a and b' '
	rm -rf hub.git st-a st-b st-c.git &&
	make_keys a b &&
	bus-init --hub hub.git &&
	git -C hub.git config bus.retainDays 30 &&
	bus-init -a a --sign-key keys/a hub.git st-a >/dev/null &&
	bus-init -a b --sign-key keys/b hub.git st-b >/dev/null &&
	fresh && archive a "$D40" s40 && archive b "$D40" t40 &&
	archive b "$D35" t35 && commit_all "old archives" && accepted &&
	signed_hub hub.git a b &&
	bus-recv -C st-a -f id && bus-recv -C st-b -f id
'

test_expect_success 'signed: another agent removing b'"'"'s day is refused' '
	signed_clone a && git -C raw rm -q -r "archive-b/$D40" &&
	commit_signed "meddle" &&
	refused "archive-b/$D40: signed by a, who may not change archive-b/"
'

test_expect_success 'signed: the owner'"'"'s bus-gc is taken, and verified by a station' '
	git -C st-a config bus.requireSigned true &&
	bus-recv -C st-a -f id &&
	bus-gc -C st-b --keep 30 >out &&
	printf "archive-b/%s\n" "$D40" "$D35" >expect &&
	test_cmp expect out &&
	days b >got &&
	test_must_be_empty got &&
	git -C hub.git config gpg.ssh.allowedSignersFile \
		"$TRASH_DIRECTORY/raw/.bus/allowed_signers" &&
	git -C hub.git -c gpg.format=ssh log -1 --format=%G?%GS main >sig &&
	echo Gb >expect &&
	test_cmp expect sig &&
	bus-recv -C st-a -f id 2>err &&
	test_must_be_empty err
'

test_done
