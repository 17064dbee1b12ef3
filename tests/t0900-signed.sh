#!/bin/sh
test_description='signed identity: bus.requireSigned on the hub'
. "$BUS_SRC_DIR/tests/test-lib.sh"

skip_all_without ssh-keygen 'signed identity'

TS=2026-11-28T10:15:00Z

msg () {
	printf '{"id":"%s","ts":"%s","from":"%s","to":"%s","type":"note","body":"hi"}\n' \
		"$1" "$TS" "$3" "$2"
}

test_expect_success 'set up: keys, a hub, signing stations, allowed signers' '
	make_keys a b x &&
	bus-init --hub hub.git &&
	bus-init -a a --sign-key keys/a hub.git st-a >/dev/null &&
	bus-init -a b --sign-key keys/b hub.git st-b >/dev/null &&
	signed_hub hub.git a b &&
	bus-recv -C st-a -f id && bus-recv -C st-b -f id
'

test_expect_success 'a signed send and a signed ack with reply are accepted' '
	(cd st-a && bus-send b "signed hello") >id &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	(cd st-b && bus-recv -f id | bus-ack --reply -) >reply &&
	git -C hub.git cat-file -e "main:inbox-a/$(cat reply).json" &&
	git -C hub.git config gpg.ssh.allowedSignersFile "$TRASH_DIRECTORY/raw/.bus/allowed_signers" &&
	git -C hub.git -c gpg.format=ssh log -2 --format=%G?%GS main >sigs &&
	printf "Gb\nGa\n" >expect &&
	test_cmp expect sigs
'

test_expect_success 'refused: an unsigned commit' '
	rm -rf raw && git clone -q hub.git raw &&
	msg u1 b a >raw/inbox-b/u1.json &&
	git -C raw add -A && git -C raw commit -q --no-verify -m unsigned &&
	refused "not signed by a key"
'

test_expect_success 'refused: a key no agent has' '
	signed_clone x && msg x1 b a >raw/inbox-b/x1.json &&
	commit_signed intruder && refused "not signed by a key"
'

test_expect_success 'refused: a message from another agent than the signer' '
	signed_clone a && msg f1 b b >raw/inbox-b/f1.json &&
	commit_signed forged && refused "from: \"b\" but the commit is signed by a"
'

test_expect_success 'refused: moving another agent'"'"'s mail into its archive' '
	(cd st-a && bus-send -i m9 b "for b only") &&
	signed_clone a && day=$(date -u +%Y-%m-%d) &&
	mkdir -p raw/archive-b/$day && git -C raw mv inbox-b/m9.json archive-b/$day/ &&
	commit_signed meddle && refused "signed by a, who may not change inbox-b/"
'

test_expect_success 'refused: allowed_signers changed by an unlisted key' '
	signed_clone x && { printf "x " && cat keys/x.pub; } >>raw/.bus/allowed_signers &&
	commit_signed takeover && refused "not signed by a key"
'

test_expect_success 'refused: a listed agent giving its key to another agent' '
	signed_clone a && { printf "b " && cat keys/a.pub; } >>raw/.bus/allowed_signers &&
	commit_signed impersonate && refused "signed by a, who may not give a key to b"
'

test_expect_success 'refused: a listed agent changing another agent'"'"'s line' '
	signed_clone a && grep -v "^b " raw/.bus/allowed_signers >tmp &&
	mv tmp raw/.bus/allowed_signers &&
	commit_signed drop-b && refused "signed by a, who may change only its own lines"
'

test_expect_success 'accepted: an agent replacing its own key' '
	ssh-keygen -q -t ed25519 -N "" -C a2 -f keys/a2 &&
	signed_clone a && grep -v "^a " raw/.bus/allowed_signers >tmp &&
	{ cat tmp && printf "a " && cat keys/a2.pub; } >raw/.bus/allowed_signers &&
	commit_signed rotate && accepted &&
	git -C st-a config user.signingKey "$TRASH_DIRECTORY/keys/a2" &&
	git -C st-a config bus.signingKey "$TRASH_DIRECTORY/keys/a2"
'

test_expect_success 'accepted: allowed_signers changed by a listed key' '
	signed_clone a2 && { printf "x " && cat keys/x.pub; } >>raw/.bus/allowed_signers &&
	commit_signed "welcome x" && accepted
'

test_expect_success 'accepted then: the new key, for its own agent' '
	signed_clone x && mkdir raw/inbox-x raw/archive-x &&
	: >raw/inbox-x/.keep && : >raw/archive-x/.keep &&
	commit_signed join && accepted
'

test_expect_success 'signed stations racing: replays are signed too, nothing lost' '
	(cd st-a && bus-send --no-push b one) >ids &&
	(cd st-b && bus-send --no-push a two) >>ids &&
	bus-recv -q -C st-a -f id >/dev/null &&
	bus-recv -q -C st-b -f id >/dev/null &&
	for id in $(cat ids); do
		hub_files | grep -q "/$id.json$" || exit 1
	done
'

test_done
