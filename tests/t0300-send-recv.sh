#!/bin/sh
test_description='bus-send and bus-recv between stations'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'set up a hub and three stations' '
	setup_bus a b c >/dev/null
'

test_expect_success 'a note from a to b lands in inbox-b on the hub' '
	(cd st-a && bus-send b "hello b") >ids &&
	test $(wc -l <ids) -eq 1 &&
	id=$(cat ids) &&
	hub_files inbox-b >files &&
	grep "^inbox-b/$id.json$" files
'

test_expect_success 'the message file is canonical JSON and passes bus-check' '
	id=$(cat ids) &&
	git -C hub.git show "main:inbox-b/$id.json" >msg &&
	grep "^{\"id\":\"$id\",\"ts\":\"[0-9T:Z-]*\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"hello b\"}$" msg &&
	mkdir -p check/inbox-b && cp msg check/inbox-b/$id.json &&
	bus-check check/inbox-b/$id.json
'

test_expect_success 'the commit holds exactly that one path' '
	git -C hub.git show --format= --name-status main >changed &&
	printf "A\tinbox-b/%s.json\n" "$(cat ids)" >expect &&
	test_cmp expect changed
'

test_expect_success 'b receives it as NDJSON' '
	(cd st-b && bus-recv) >got &&
	git -C hub.git show "main:inbox-b/$(cat ids).json" >expect &&
	test_cmp expect got
'

test_expect_success 'bodies round-trip byte for byte' '
	printf "quote \" backslash \\\\ newline\nand tab\t emoji \360\237\230\200 cr\r bell \007 esc \033[2J del \177 end" >body &&
	(cd st-a && bus-send c <../body) >id2 &&
	(cd st-c && bus-recv) | json-get body >got &&
	cmp body got
'

test_expect_success 'an empty body from empty stdin' '
	(cd st-a && bus-send -t ping c </dev/null) &&
	(cd st-c && bus-recv --type ping) | json-get body >got &&
	test_must_be_empty got
'

test_expect_success '-f text shows no raw control character' '
	(cd st-c && bus-recv -f text) >text &&
	! grep -q "$(printf "\033")" text &&
	! grep -q "$(printf "\007")" text &&
	! grep -q "$(printf "\r")" text &&
	grep -F "esc \\x1b[2J" text &&
	grep "^    and tab" text
'

test_expect_success '-f id, -f path and -z' '
	(cd st-c && bus-recv -f id) >ids &&
	test $(wc -l <ids) -eq 2 &&
	(cd st-c && bus-recv -f path) >paths &&
	while read p; do test -f "$p" || exit 1; done <paths &&
	sed "s|.*/||; s|\.json$||" paths >ids2 &&
	test_cmp ids ids2 &&
	(cd st-c && bus-recv -z -f id) | tr "\0" "\n" >ids3 &&
	test_cmp ids ids3
'

test_expect_success '--type and --from filter' '
	(cd st-b && bus-send -t state c "busy") &&
	(cd st-c && bus-recv -f id --type state) >ids &&
	test $(wc -l <ids) -eq 1 &&
	(cd st-c && bus-recv -f id --from b) >ids2 &&
	test_cmp ids ids2 &&
	(cd st-c && bus-recv -f id --from a) >ids3 &&
	test $(wc -l <ids3) -eq 2
'

test_expect_success 'messages come oldest first' '
	(cd st-c && bus-recv) | json-get ts | fold -w 20 >ts &&
	echo >>ts &&
	sort ts >sorted &&
	test_cmp sorted ts
'

test_expect_success 'several recipients, -i, -r and -t' '
	(cd st-a && bus-send -t note -i custom-1 -r prev-1 b,c "to both") &&
	hub_files >files &&
	grep "^inbox-b/custom-1.json$" files &&
	grep "^inbox-c/custom-1.json$" files &&
	git -C hub.git show main:inbox-c/custom-1.json | grep "\"re\":\"prev-1\"" &&
	# --type, as bus-recv and bus-status spell it
	(cd st-a && bus-send --type task b "long form") >id &&
	git -C hub.git show "main:inbox-b/$(cat id).json" | grep "\"type\":\"task\""
'

test_expect_success 'a chosen id that exists already is refused (65)' '
	before=$(git -C st-a rev-parse main) &&
	(cd st-a && test_expect_code 65 bus-send -i custom-1 b "again") 2>err &&
	grep "inbox-b/custom-1.json: that message exists already" err &&
	printf "{\"to\":\"c\",\"body\":\"x\",\"id\":\"custom-1\"}\n" |
		(cd st-a && test_expect_code 65 bus-send --batch) 2>err &&
	grep "stdin:1: inbox-c/custom-1.json: that message exists already" err &&
	test "$(git -C st-a rev-parse main)" = "$before"
'

test_expect_success '--all sends to every other agent' '
	(cd st-b && bus-send --all "hello all") >ids &&
	test $(wc -l <ids) -eq 2 &&
	hub_files >files &&
	for id in $(cat ids); do grep "$id" files || exit 1; done &&
	! grep "inbox-b/.*$(head -1 ids)" files
'

test_expect_success '--batch: NDJSON in, one commit' '
	before=$(hub_tip) &&
	printf "%s\n" "{\"to\":\"b\",\"body\":\"one\"}" "" \
		"{\"to\":\"c\",\"type\":\"state\",\"body\":\"two\",\"re\":\"x1\"}" |
		(cd st-a && bus-send --batch) >ids &&
	test $(wc -l <ids) -eq 2 &&
	test "$(git -C hub.git rev-parse main^)" = "$before"
'

test_expect_success '--batch with a bad line sends nothing' '
	before=$(hub_tip) &&
	printf "%s\n" "{\"to\":\"b\",\"body\":\"fine\"}" "{\"to\":\"b\",\"body\":1}" |
		(cd st-a && test_expect_code 65 bus-send --batch) 2>err &&
	grep "stdin:2: body: not a string" err &&
	test "$(hub_tip)" = "$before" &&
	printf "{\"to\":\"b\",\"body\":\"x\",\"from\":\"b\"}\n" |
		(cd st-a && test_expect_code 65 bus-send --batch) 2>err &&
	grep "stdin:1: from: a field of the protocol" err &&
	test "$(hub_tip)" = "$before"
'

test_expect_success '--batch errors name the line' '
	printf "%s\n" "{\"to\":\"b\",\"body\":\"x\"}" "{\"to\":\"nobody\",\"body\":\"x\"}" |
		(cd st-a && test_expect_code 67 bus-send --batch) 2>err &&
	grep "stdin:2: inbox-nobody: no such agent" err &&
	printf "{\"to\":\"b\",\"body\":\"x\",\"type\":\"Bad\"}\n" |
		(cd st-a && test_expect_code 65 bus-send --batch) 2>err &&
	grep "stdin:1: Bad: not a type" err
'

test_expect_success 'a pipeline from another bus command of the station works' '
	body=$(printf "%0200d" 0) &&
	i=0 && while [ $i -lt 300 ]; do
		echo "{\"to\":\"a\",\"body\":\"$body\"}"; i=$((i + 1))
	done >batch &&
	(cd st-b && bus-send --batch <../batch) >/dev/null &&
	git -C st-a config bus.lockTimeout 10 &&
	(cd st-a && bus-recv | sed "s/.*/{\"to\":\"b\",\"body\":\"re\"}/" |
		bus-send --batch) >ids &&
	test $(wc -l <ids) -ge 300 &&
	git -C st-a config --unset bus.lockTimeout
'

test_expect_success 'an unknown recipient is 67 and nothing is written' '
	before=$(hub_tip) &&
	local_before=$(git -C st-a rev-parse main) &&
	(cd st-a && test_expect_code 67 bus-send b,zed "x") 2>err &&
	grep "inbox-zed: no such agent" err &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C st-a rev-parse main)" = "$local_before"
'

test_expect_success 'an agent who joined after our last fetch is found' '
	bus-init -a late hub.git st-late >/dev/null &&
	(cd st-a && bus-send late "welcome") &&
	(cd st-late && bus-recv -f id) >ids &&
	test $(wc -l <ids) -eq 1
'

test_expect_success 'bad data: a body that is not UTF-8, a bad type or id' '
	printf "\377\376" | (cd st-a && test_expect_code 65 bus-send b) &&
	(cd st-a && test_expect_code 65 bus-send -t Bad b x) &&
	(cd st-a && test_expect_code 65 bus-send -i ../x b x)
'

test_expect_success 'a message larger than bus.maxSize is refused' '
	git -C st-a config bus.maxSize 200 &&
	head -c 300 /dev/zero | tr "\0" x | (cd st-a && test_expect_code 65 bus-send b) 2>err &&
	# the size and the recipient, not an id the user never saw
	grep "the message to b: [0-9]* bytes, larger than 200 bytes (bus.maxSize)" err &&
	git -C st-a config --unset bus.maxSize
'

test_expect_success 'an invalid file in an inbox is reported and skipped' '
	git clone -q hub.git raw &&
	(cd raw && mkdir -p inbox-b && printf "{\"id\":1,}" >inbox-b/bad.json &&
	 git add inbox-b/bad.json && git commit -q --no-verify -m bad &&
	 without_hub_hook git push -q origin main) &&
	(cd st-b && bus-recv -f id) >ids 2>err &&
	grep "inbox-b/bad.json: invalid JSON: trailing comma" err &&
	test -s ids
'

test_expect_success '--wait times out with exit 1 when nothing comes' '
	(cd st-b && bus-recv -f id) >all &&
	(cd st-b && bus-recv -f id | bus-ack -) &&
	(cd st-b && test_expect_code 1 bus-recv --wait 2) >out 2>err &&
	test_must_be_empty out
'

test_expect_success '--wait returns when a message arrives' '
	(sleep 2 && cd st-a && bus-send b "wake up" >/dev/null) &
	(cd st-b && bus-recv --wait 60 -f id) >ids &&
	wait &&
	test $(wc -l <ids) -eq 1
'

test_expect_success 'a recv that brings nothing lists the inbox during its fetch, maintains nothing' '
	# two packs where the auto gc of git wants one: only a fetch that
	# brought something may start it
	git -C st-b config fetch.unpackLimit 1 &&
	git -C st-b config gc.autoPackLimit 1 &&
	git -C st-b repack -a -d -q &&
	git -C st-b rev-parse HEAD |
		git -C st-b pack-objects -q .git/objects/pack/pack >/dev/null &&
	ls st-b/.git/objects/pack/*.pack >packs &&
	test $(wc -l <packs) -eq 2 &&
	(cd st-b && bus-recv -f id) >before &&
	test -s before &&
	(cd st-b && bus-recv -v -f id) >ids 2>trace &&
	test_cmp before ids &&
	test $(grep -c " ls-tree " trace) -eq 1 &&
	! grep " maintenance run" trace &&
	ls st-b/.git/objects/pack/*.pack >packs &&
	test $(wc -l <packs) -eq 2
'

test_expect_success 'a recv that brings something lists again, and runs git'"'"'s auto gc' '
	(cd st-a && bus-send b "after the listing") >new &&
	(cd st-b && bus-recv -v -f id) >ids 2>trace &&
	git -C st-b config --unset fetch.unpackLimit &&
	git -C st-b config --unset gc.autoPackLimit &&
	grep -x "$(cat new)" ids &&
	test $(grep -c " ls-tree " trace) -eq 2 &&
	grep " maintenance run --auto" trace &&
	# the fetched pack and the two before, made one by the gc
	ls st-b/.git/objects/pack/*.pack >packs &&
	test $(wc -l <packs) -eq 1
'

test_expect_success 'work tree and index show the branch tip, nothing left behind' '
	for s in a b c; do
		git -C st-$s status --porcelain >status &&
		test_must_be_empty status || exit 1
	done
'

test_expect_success 'a mistyped agent is 67, not an empty inbox' '
	(cd st-b && test_expect_code 67 bus-recv -a nosuch) >out 2>err &&
	test_must_be_empty out &&
	grep "nosuch: no such agent on the bus (no inbox-nosuch/ on main)" err &&
	(cd st-b && BUS_AGENT=alcie && export BUS_AGENT &&
		test_expect_code 67 bus-recv -n) 2>err &&
	grep "alcie: no such agent" err &&
	# --wait waits for nothing that cannot come
	(cd st-b && test_expect_code 67 bus-recv -a nosuch --wait 30) 2>err &&
	grep "nosuch: no such agent" err
'

test_expect_success 'a git that cannot be run is named, not taken for no repository' '
	(cd st-b && BUS_GIT="$TRASH_DIRECTORY/no-such-git" &&
		export BUS_GIT && test_expect_code 70 bus-recv) 2>err &&
	grep "no-such-git: No such file or directory" err &&
	! grep "not a git repository" err
'

test_expect_success 'usage' '
	(cd st-a && test_expect_code 64 bus-send) 2>err &&
	grep "^usage: bus-send" err &&
	(cd st-a && test_expect_code 64 bus-recv -f xml) &&
	(cd st-a && test_expect_code 64 bus-recv extra) &&
	bus-recv -h | grep "^usage: bus-recv"
'

test_expect_success '-F adds string members after the protocol fields' '
	(cd st-a && bus-send -i fields-1 -F subject="Build is red" \
		-F priority=high -F x.y_z-1= c "see the log") &&
	git -C hub.git show main:inbox-c/fields-1.json >msg &&
	grep "\"body\":\"see the log\",\"subject\":\"Build is red\",\"priority\":\"high\",\"x.y_z-1\":\"\"}$" msg &&
	(cd st-c && bus-recv -f text) >out &&
	grep "^  subject: Build is red$" out &&
	grep "^    see the log$" out
'

test_expect_success '-F refuses a protocol field, a bad name, a name twice: nothing sent' '
	before=$(hub_tip) &&
	for bad in from=x id=y body=z re=w 1x=y "a b=c" =v novalue "$(printf "k\001=v")" \
		"$(printf "%065d" 0 | tr 0 a)=v"
	do
		(cd st-a && test_expect_code 64 bus-send -F "$bad" c x) 2>err || return 1
		grep "^bus-send: -F " err || return 1
	done &&
	(cd st-a && bus-send -F "$(printf "%064d" 0 | tr 0 a)=v" --no-push c x) &&
	(cd st-a && test_expect_code 64 bus-send -F s=1 -F s=2 c x) 2>err &&
	grep "^bus-send: -F s: given twice" err &&
	(cd st-a && test_expect_code 64 bus-send -F "s=$(printf "\377")" c x) 2>err &&
	grep "not UTF-8" err &&
	(cd st-a && test_expect_code 64 bus-send -F s=1 --batch </dev/null) &&
	test "$(hub_tip)" = "$before"
'

test_expect_success '--batch keeps members of any JSON value besides the protocol' '
	cat >batch <<-\EOF &&
	{"to":"c","body":"b","id":"fields-2","subject":"S \"q\"","n":[1, {"k" : null}]}
	EOF
	(cd st-a && bus-send --batch) <batch &&
	git -C hub.git show main:inbox-c/fields-2.json >msg &&
	cat >expect <<-\EOF &&
	"body":"b","subject":"S \"q\"","n":[1,{"k":null}]}
	EOF
	sed "s/.*\(\"body\":\)/\1/" msg >actual &&
	test_cmp expect actual &&
	printf "%s\n" "{\"to\":\"c\",\"body\":\"b\",\"id\":\"fields-4\",\"\":0}" |
		(cd st-a && bus-send --batch) &&
	git -C hub.git show main:inbox-c/fields-4.json >msg &&
	grep "\"body\":\"b\",\"\":0}$" msg &&
	(cd st-c && bus-recv -f text) >out &&
	grep "^  subject: S \"q\"$" out
'

test_expect_success 'a subject that is not a string is no subject line' '
	printf "%s\n" "{\"to\":\"c\",\"body\":\"b\",\"id\":\"fields-3\",\"subject\":7}" |
		(cd st-a && bus-send --batch) &&
	(cd st-c && bus-recv -f text) >out &&
	grep -A1 "fields-3" out >one &&
	! grep subject one
'

test_done
