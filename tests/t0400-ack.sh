#!/bin/sh
test_description='bus-ack: from the inbox to the archive'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'set up, and a sends b three notes' '
	setup_bus a b >/dev/null &&
	(cd st-a && bus-send b one && bus-send b two && bus-send b three) >ids
'

test_expect_success 'bus-ack moves one message, unchanged, to the day of its ts' '
	id=$(head -1 ids) &&
	blob=$(git -C hub.git rev-parse "main:inbox-b/$id.json") &&
	bus-ack -C st-b "$id" &&
	day=$(git -C hub.git show "main:archive-b/$(date -u +%Y-%m-%d)/$id.json" |
		json-get ts | cut -c1-10) &&
	test "$(git -C hub.git rev-parse "main:archive-b/$day/$id.json")" = "$blob" &&
	! git -C hub.git cat-file -e "main:inbox-b/$id.json" &&
	git -C hub.git show --no-renames --format= --name-status main >changed &&
	printf "A\tarchive-b/%s/%s.json\nD\tinbox-b/%s.json\n" "$day" "$id" "$id" >expect &&
	test_cmp expect changed
'

test_expect_success 'bus-recv -f id | bus-ack - acks the rest in one commit' '
	before=$(hub_tip) &&
	(cd st-b && bus-recv -f id | bus-ack -) &&
	test "$(git -C hub.git rev-parse main^)" = "$before" &&
	hub_files inbox-b >files &&
	printf "inbox-b/.keep\n" >expect &&
	test_cmp expect files &&
	git -C st-b status --porcelain >status &&
	test_must_be_empty status &&
	test $(git -C st-b ls-tree -r --name-only HEAD archive-b | grep -c "json$") -eq 3 &&
	! test -e st-b/archive-b
'

test_expect_success 'acking an archived id again succeeds and does nothing' '
	before=$(hub_tip) &&
	bus-ack -C st-b $(cat ids) &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'an unknown id is 66 and nothing is acked' '
	(cd st-a && bus-send b four) >id4 &&
	before=$(hub_tip) &&
	test_expect_code 66 bus-ack -C st-b "$(cat id4)" no-such-id 2>err &&
	grep "no-such-id: no such message" err &&
	test "$(hub_tip)" = "$before"
'

test_expect_success '--reply sends an ack with re to the sender, same commit' '
	id=$(cat id4) &&
	bus-ack -C st-b --reply "$id" >reply &&
	test $(wc -l <reply) -eq 1 &&
	git -C hub.git show --format= --name-only main >changed &&
	grep "^inbox-a/$(cat reply).json$" changed &&
	grep "^archive-b/.*/$id.json$" changed &&
	(cd st-a && bus-recv --type ack) >acks &&
	json-get re <acks >re &&
	printf "%s" "$id" >expect &&
	test_cmp expect re
'

test_expect_success 'the older flat archive layout still counts as archived' '
	git clone -q hub.git raw &&
	(cd raw && mkdir -p archive-b &&
	 printf "{\"id\":\"old-1\",\"ts\":\"2020-01-01T00:00:00Z\",\"from\":\"a\",\"to\":\"b\",\"type\":\"note\",\"body\":\"old\"}\n" >archive-b/old-1.json &&
	 git add archive-b && git commit -q -m flat && git push -q origin main) &&
	(cd st-b && bus-ack old-1) &&
	bus-check raw/archive-b/old-1.json
'

test_expect_success 'an archived message with a custom id is found in its day' '
	(cd st-a && bus-send -i custom-7 b x) &&
	(cd st-b && bus-ack custom-7) &&
	before=$(hub_tip) &&
	(cd st-b && bus-ack custom-7) &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'an invalid inbox file cannot be acked (65)' '
	(cd raw && git pull -q && printf "{}" >inbox-b/broken.json &&
	 git add inbox-b && git commit -q --no-verify -m broken &&
	 without_hub_hook git push -q origin main) &&
	(cd st-b && test_expect_code 65 bus-ack broken) 2>err &&
	grep "inbox-b/broken.json: not a valid message" err
'

test_expect_success 'bus-ack takes the paths that bus-recv -f path prints' '
	(cd st-a && bus-send b "by path" && bus-send b "by path too") >ids &&
	(cd st-b && bus-recv -f path --from a) >paths &&
	test $(wc -l <paths) -eq 2 &&
	first=$(head -n 1 paths) &&
	(cd st-b && bus-ack "$first") &&
	tail -n 1 paths | (cd st-b && bus-ack -) &&
	(cd st-b && bus-recv -n -f id --from a) >left &&
	! grep -F -f ids left &&
	(cd st-b && test_expect_code 65 bus-ack ../elsewhere/x.json) 2>err &&
	grep "not the path of a message in an inbox" err
'

test_done
