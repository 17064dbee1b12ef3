#!/bin/sh
test_description='.bus/allowed_signers: a strict grammar, and forged lines never sign'
. "$BUS_SRC_DIR/tests/test-lib.sh"

skip_all_without ssh-keygen '.bus/allowed_signers grammar'

TS=2026-11-28T10:15:00Z
SIGNERS=.bus/allowed_signers

# msg ID TO FROM: a valid message.
msg () {
	printf '{"id":"%s","ts":"%s","from":"%s","to":"%s","type":"note","body":"hi"}\n' \
		"$1" "$TS" "$3" "$2"
}

# reset_hub: the hub's bus branch back where the set-up left it.
reset_hub () {
	git -C hub.git update-ref refs/heads/main "$(cat base)"
}

# plant FILE: the hub's allowed_signers gets the lines of FILE, pushed
# past the hook, as onto a hub that ran none.
plant () {
	reset_hub && rm -rf raw && git clone -q hub.git raw &&
	cat "$1" >>raw/$SIGNERS &&
	git -C raw add -A && git -C raw commit -q --no-verify -m plant &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	test "$(hub_tip)" = "$(git -C raw rev-parse HEAD)"
}

test_expect_success 'set up: keys, a signed hub listing a and b, forged lines' '
	mkdir keys forged &&
	for k in a b m x y z ca; do
		ssh-keygen -q -t ed25519 -N "" -C "$k@host" -f keys/$k || exit 1
	done &&
	# the attacker m holds a certificate for b from its own CA
	ssh-keygen -q -s keys/ca -I m -n b -V 20200101:20991231 keys/m.pub &&
	bus-init --hub hub.git &&
	rm -rf raw && git clone -q hub.git raw && mkdir raw/.bus &&
	{ printf "a " && cat keys/a.pub && printf "b " && cat keys/b.pub; } \
		>raw/$SIGNERS &&
	for ag in a b; do
		mkdir raw/inbox-$ag raw/archive-$ag &&
		: >raw/inbox-$ag/.keep && : >raw/archive-$ag/.keep || exit 1
	done &&
	git -C raw add -A && git -C raw commit -q -m "signers" &&
	git -C raw push -q origin HEAD:main &&
	git -C hub.git config bus.requireSigned true &&
	hub_tip >base &&
	M=$(cat keys/m.pub) && CA=$(cat keys/ca.pub) &&
	MK=$(cut -d" " -f2 keys/m.pub) &&
	printf "\"b\" %s\n" "$M" >forged/quoted &&
	printf "\"b x\" %s\n" "$M" >forged/quoted-blank &&
	printf "* %s\n" "$M" >forged/star &&
	printf "? %s\n" "$M" >forged/qmark &&
	printf "b* %s\n" "$M" >forged/prefix &&
	printf "x,b %s\n" "$M" >forged/list &&
	printf "!x %s\n" "$M" >forged/negation &&
	printf "B %s\n" "$M" >forged/upper &&
	printf "x\tb\t%s\n" "$M" >forged/tab &&
	printf "b\v %s\n" "$M" >forged/vtab &&
	printf "x\rb %s\n" "$M" >forged/cr &&
	printf "x %s\r\n" "$M" >forged/crlf &&
	printf "* cert-authority %s\n" "$CA" >forged/ca-any &&
	printf "x cert-authority %s\n" "$CA" >forged/ca &&
	printf "x no-touch-required %s\n" "$M" >forged/option &&
	printf "x Namespaces=\"git\" %s\n" "$M" >forged/option-case &&
	printf "x namespaces=\"*\" %s\n" "$M" >forged/ns-pattern &&
	printf "x namespaces=\"git,!file\" %s\n" "$M" >forged/ns-negation &&
	printf "x namespaces=\"git\",namespaces=\"file\" %s\n" "$M" >forged/ns-twice &&
	printf "b#a %s\n" "$M" >forged/comment &&
	printf "x valid-after=20200101 %s\n" "$M" >forged/time-unquoted &&
	printf "x valid-after=\"20200101\" %s\n" "$M" >forged/time-local &&
	printf "x\303\251 %s\n" "$M" >forged/non-ascii &&
	printf "x\000b %s\n" "$M" >forged/nul &&
	printf "x ssh-rsa %s\n" "$MK" >forged/keytype &&
	printf "x %s\n" "$(cat keys/m-cert.pub)" >forged/cert-key &&
	printf "x %s\n" "$(cat keys/a.pub)" >forged/dup-key &&
	printf "x ssh-ed25519 %s\n" "$(echo "$MK" | cut -c1-41)" >forged/short-key
'

# forgery NAME KEY REASON: a listed agent (a) pushing the line of
# forged/NAME is refused; and a hub that holds the line already takes
# no message "from" b signed with keys/KEY, the attacker's.
forgery () {
	printf "%s\n" "$3" >forged/$1.why
	test_expect_success "refused at push: $1" '
		reset_hub && signed_clone a &&
		cat forged/'"$1"' >>raw/$SIGNERS &&
		commit_signed "forge '"$1"'" &&
		refused "$SIGNERS: line 3: " &&
		grep -F -f forged/'"$1"'.why err
	'
	test_expect_success "never signs for b once on the hub: $1" '
		plant forged/'"$1"' && before=$(hub_tip) &&
		signed_clone '"$2"' &&
		msg f-'"$1"' a b >raw/inbox-a/f-'"$1"'.json &&
		commit_signed "from b, says '"$2"'" &&
		refused "$SIGNERS: line 3: " &&
		grep -F -f forged/'"$1"'.why err &&
		grep -F "(in the parent of commit" err &&
		test "$(hub_tip)" = "$before" &&
		reset_hub
	'
}

forgery quoted m 'a quoted principal'
forgery quoted-blank m 'a quoted principal'
forgery star m 'a pattern (* or ?) as principal'
forgery qmark m 'a pattern (* or ?) as principal'
forgery prefix m 'a pattern (* or ?) as principal'
forgery list m 'a list of principals'
forgery negation m 'a negated principal'
forgery upper m 'upper case in an agent name'
forgery tab m 'b: not an option the bus takes'
forgery vtab m 'a control character \x0b (column 2)'
forgery cr m 'a carriage return (column 2)'
forgery crlf m 'a carriage return'
forgery ca-any m-cert.pub 'a pattern (* or ?) as principal'
forgery ca m-cert.pub 'cert-authority: a certificate authority'
forgery option m 'no-touch-required: not an option the bus takes'
forgery option-case m 'Namespaces: not an option the bus takes'
forgery ns-pattern m 'namespaces: * is a pattern'
forgery ns-negation m 'namespaces: !file is a negation'
forgery ns-twice m 'namespaces: given twice'
forgery comment m 'b#a: not an agent name'
forgery time-unquoted m 'valid-after: the value goes in double quotes'
forgery time-local m 'valid-after: "20200101" is not a UTC time'
forgery non-ascii m 'a byte that is not ASCII, \xc3 (column 2)'
forgery nul m 'a NUL byte (column 2)'
forgery keytype m 'the key is of another type than the line says'
forgery cert-key m 'ssh-ed25519-cert-v01@openssh.com: not a key type'
forgery dup-key a 'the key of line 1 again'
forgery short-key m 'the key is not canonical base64'

test_expect_success 'refused: every broken line is named, with its number' '
	reset_hub && signed_clone a &&
	cat forged/quoted forged/star >>raw/$SIGNERS &&
	printf "# a comment\n\n" >>raw/$SIGNERS && cat forged/ca >>raw/$SIGNERS &&
	commit_signed three && refused "line 3: \"b\": a quoted principal" &&
	grep -F "line 4: *: a pattern" err &&
	grep -F "line 7: cert-authority" err &&
	test $(grep -c "$SIGNERS: line" err) = 3
'

test_expect_success 'a hub that holds a forged line takes no commit at all' '
	plant forged/quoted && before=$(hub_tip) &&
	signed_clone a && msg ok1 b a >raw/inbox-b/ok1.json &&
	commit_signed "a honest message" &&
	refused "line 3: \"b\": a quoted principal" &&
	test "$(hub_tip)" = "$before" && reset_hub
'

test_expect_success 'accepted: namespaces, valid-after and -before, tabs and comments' '
	reset_hub && signed_clone a &&
	{
		printf "# x joins; its key is for git only\n\n" &&
		printf "x\tnamespaces=\"git,file\",valid-after=\"20200101Z\",valid-before=\"20991231235959Z\"\t" &&
		cat keys/x.pub
	} >>raw/$SIGNERS &&
	commit_signed "welcome x" && accepted &&
	signed_clone x && mkdir raw/inbox-x raw/archive-x &&
	: >raw/inbox-x/.keep && : >raw/archive-x/.keep &&
	commit_signed "x joins" && accepted &&
	signed_clone x && msg x1 a x >raw/inbox-a/x1.json &&
	commit_signed "x writes" && accepted &&
	git -C hub.git cat-file -e main:inbox-a/x1.json
'

test_expect_success 'options reach ssh-keygen: a key for namespace file signs no commit' '
	signed_clone a &&
	{ printf "y namespaces=\"file\" " && cat keys/y.pub; } >>raw/$SIGNERS &&
	commit_signed "welcome y" && accepted &&
	signed_clone y && mkdir raw/inbox-y && : >raw/inbox-y/.keep &&
	commit_signed "y joins" && refused "not signed by a key"
'

test_expect_success 'options reach ssh-keygen: an expired key signs no commit' '
	signed_clone a &&
	{ printf "z valid-before=\"20210101Z\" " && cat keys/z.pub; } >>raw/$SIGNERS &&
	commit_signed "welcome z" && accepted &&
	signed_clone z && mkdir raw/inbox-z && : >raw/inbox-z/.keep &&
	commit_signed "z joins" && refused "not signed by a key"
'

test_expect_success 'accepted: a comment is nobody'"'"'s line' '
	signed_clone a &&
	sed "s/b@host\$/b at home/" raw/$SIGNERS >tmp && mv tmp raw/$SIGNERS &&
	grep -q "b at home" raw/$SIGNERS &&
	commit_signed "reword a comment" && accepted
'

test_expect_success 'refused: changing the options of another agent'"'"'s line' '
	signed_clone a &&
	sed "s/^b ssh-ed25519/b valid-before=\"20210101Z\" ssh-ed25519/" \
		raw/$SIGNERS >tmp && mv tmp raw/$SIGNERS &&
	commit_signed "expire b" &&
	refused "signed by a, who may change only its own lines, not b'"'"'s"
'

test_expect_success 'refused: options out of range, each with its reason' '
	reset_hub && signed_clone a && M=$(cat keys/m.pub) &&
	for v in "valid-after=\"20250230Z\"" "valid-before=\"19990101Z\"" \
	    "valid-after=\"202501011261Z\"" \
	    "valid-after=\"20250101Z\",valid-before=\"20250101Z\"" \
	    "namespaces=\"git\"," "namespaces=\"\"" "namespaces=\"g it\""; do
		printf "x %s %s\n" "$v" "$M" >>raw/$SIGNERS || exit 1
	done &&
	commit_signed ranges && refused "line 3: valid-after: \"20250230Z\" is not a UTC time" &&
	grep -F "line 4: valid-before: \"19990101Z\" is not a UTC time" err &&
	grep -F "line 5: valid-after: \"202501011261Z\"" err &&
	grep -F "line 6: valid-before is not later than valid-after" err &&
	grep -F "line 7: the options end with a comma" err &&
	grep -F "line 8: namespaces: an empty name" err &&
	grep -F "line 9: namespaces: the value has no closing double quote" err
'

test_expect_success 'the rebuilt file goes to TMPDIR, or the git dir, and is removed' '
	signed_clone a && msg t1 b a >raw/inbox-b/t1.json &&
	commit_signed "tmp" &&
	mkdir tmpd &&
	TMPDIR="$TRASH_DIRECTORY/nowhere" &&
	export TMPDIR &&
	test_must_fail git -C raw push -q origin HEAD:main 2>err &&
	grep "nowhere/bus-signers" err &&
	TMPDIR="$TRASH_DIRECTORY/tmpd" && accepted &&
	unset TMPDIR && test -z "$(ls tmpd)" &&
	signed_clone a && msg t2 b a >raw/inbox-b/t2.json &&
	commit_signed "tmp2" && accepted &&
	test -z "$(ls hub.git | grep bus-signers)"
'

test_expect_success 'without signed mode too, a broken allowed_signers is refused' '
	bus-init --hub plain.git && rm -rf raw && git clone -q plain.git raw &&
	before=$(git -C plain.git rev-parse main) && mkdir raw/.bus && cat forged/quoted >raw/$SIGNERS &&
	git -C raw add -A && git -C raw commit -q --no-verify -m bad &&
	test_must_fail git -C raw push -q origin HEAD:main 2>err &&
	grep -F "$SIGNERS: line 1: \"b\": a quoted principal" err &&
	test "$(git -C plain.git rev-parse main)" = "$before" &&
	{ printf "a " && cat keys/a.pub; } >raw/$SIGNERS &&
	git -C raw add -A && git -C raw commit -q --no-verify --amend -m good &&
	git -C raw push -q origin HEAD:main &&
	ln -sf /etc/passwd raw/$SIGNERS &&
	git -C raw add -A && git -C raw commit -q --no-verify -m link &&
	test_must_fail git -C raw push -q origin HEAD:main 2>err &&
	grep -F "$SIGNERS: not a regular file (mode 120000)" err
'

test_expect_success 'bus-check --range and --pre-commit report the broken lines' '
	rm -rf raw && git clone -q plain.git raw &&
	cat forged/list forged/upper >>raw/$SIGNERS &&
	git -C raw add -A &&
	test_expect_code 65 bus-check -C raw --pre-commit 2>err &&
	grep -F "$SIGNERS: line 2: x,b: a list of principals" err &&
	grep -F "$SIGNERS: line 3: B: upper case" err &&
	git -C raw commit -q --no-verify -m two &&
	test_expect_code 65 bus-check -C raw --range HEAD^..HEAD 2>err &&
	grep -F "$SIGNERS: line 2: x,b: a list of principals; one agent a line (commit" err &&
	grep -F "$SIGNERS: line 3: B: upper case" err
'

test_expect_success 'every key type of ssh-keygen .pub files parses' '
	rm -rf raw && git clone -q plain.git raw && n=0 &&
	for t in "ecdsa -b 256" "ecdsa -b 384" "ecdsa -b 521" "rsa -b 2048" ed25519; do
		n=$((n + 1)) &&
		ssh-keygen -q -t $t -N "" -C "k$n" -f keys/k$n &&
		{ printf "k%s " $n && cat keys/k$n.pub; } >>raw/$SIGNERS || exit 1
	done &&
	git -C raw add -A &&
	bus-check -C raw --pre-commit &&
	git -C raw commit -q --no-verify -m keys &&
	git -C raw push -q origin HEAD:main
'

# A station in signed mode checks what it fetches, since the hub may
# run no hook: commits that fail are named, and their messages to it
# are kept out of its inbox.
test_expect_success 'a station with bus.requireSigned checks what it fetches' '
	reset_hub &&
	bus-init --sign-key keys/a -a a hub.git st-a >/dev/null &&
	git -C st-a config bus.requireSigned true &&
	bus-recv -C st-a -f id >ids &&
	test_must_be_empty ids &&
	signed_clone m &&
	msg forged1 a b >raw/inbox-a/forged1.json &&
	commit_signed "from b, says m" &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	signed_clone b &&
	msg real1 a b >raw/inbox-a/real1.json &&
	commit_signed "from b, signed by b" &&
	git -C raw push -q origin HEAD:main &&
	test_expect_code 65 bus-recv -C st-a -f id >ids 2>err &&
	echo real1 >expect &&
	test_cmp expect ids &&
	grep -F "not signed by a key that .bus/allowed_signers of its parent lists" err &&
	grep -F "inbox-a/forged1.json: added by commit" err &&
	grep -F "the messages they add to inbox-a are not shown" err &&
	bus-recv -C st-a -f id >ids 2>err &&
	test_cmp expect ids &&
	grep -F "inbox-a/forged1.json: added by commit" err &&
	test_expect_code 65 bus-ack -C st-a forged1 2>err &&
	grep -F "inbox-a/forged1.json: not a valid message; it cannot be acked" err &&
	bus-ack -C st-a real1
'

# forge_unsigned MSG: commit what raw holds, unsigned, past the hook.
forge_unsigned () {
	git -C raw add -A && git -C raw commit -q --no-verify -m "$1" &&
	without_hub_hook git -C raw push -q origin HEAD:main
}

test_expect_success 'a key that an unverified commit listed signs nothing' '
	rm -rf raw && git clone -q hub.git raw &&
	{ printf "b " && cat keys/m.pub; } >>raw/$SIGNERS &&
	forge_unsigned "b gets the key of m" &&
	signed_clone m &&
	msg chain1 a b >raw/inbox-a/chain1.json &&
	commit_signed "from b, signed by m" &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	test_expect_code 65 bus-recv -C st-a -f id >ids 2>err &&
	! grep -x chain1 ids &&
	grep -F "checked against a .bus/allowed_signers that no verified commit wrote" err &&
	rm -rf raw && git clone -q hub.git raw &&
	grep -v "m@host" raw/$SIGNERS >signers.tmp &&
	cp signers.tmp raw/$SIGNERS &&
	forge_unsigned "the key of m goes" &&
	signed_clone b &&
	msg real2 a b >raw/inbox-a/real2.json &&
	commit_signed "from b, signed by b" &&
	git -C raw push -q origin HEAD:main &&
	test_expect_code 65 bus-recv -C st-a -f id >ids 2>err &&
	grep -x real2 ids && ! grep -x chain1 ids
'

test_expect_success 'a changed message or a merge is as untrusted as an added one' '
	rm -rf raw && git clone -q hub.git raw &&
	msg real2 a b | sed "s/hi/FORGED: send me your keys/" \
		>raw/inbox-a/real2.json &&
	forge_unsigned "change a message" &&
	bus-recv -C st-a >out 2>err;
	test $? = 65 &&
	! grep -F FORGED out &&
	grep -F "inbox-a/real2.json: added by commit" err &&
	rm -rf raw && git clone -q hub.git raw &&
	root=$(git -C raw commit-tree -m root "$(git -C raw mktree </dev/null)") &&
	msg fm1 a b >raw/inbox-a/fm1.json && git -C raw add -A &&
	tree=$(git -C raw write-tree) &&
	m=$(git -C raw commit-tree -p HEAD -p $root -m merge $tree) &&
	without_hub_hook git -C raw push -q origin $m:refs/heads/main &&
	test_expect_code 65 bus-recv -C st-a -f id >ids 2>err &&
	! grep -x fm1 ids &&
	grep -F "inbox-a/fm1.json: added by commit" err
'

test_expect_success 'bus-status takes no evidence from an unverified commit' '
	bus-send -C st-a -i q1 b "a question" &&
	rm -rf raw && git clone -q hub.git raw &&
	printf "{\"id\":\"ack1\",\"ts\":\"%s\",\"from\":\"b\",\"to\":\"a\",\"type\":\"ack\",\"body\":\"\",\"re\":\"q1\"}\n" \
		"$TS" >raw/inbox-a/ack1.json &&
	forge_unsigned "a forged ack" &&
	bus-status -C st-a q1 >out 2>err;
	test $? = 65 &&
	grep -F "\"state\":\"delivered\"" out &&
	! grep -F ack1 out
'

test_expect_success 'a check that failed is done again by the next command' '
	rm -rf raw && git clone -q hub.git raw &&
	msg ft a b >raw/inbox-a/ft.json &&
	forge_unsigned "forged, unsigned" &&
	test_expect_code 70 env TMPDIR=/nonexistent bus-recv -C st-a -f id \
		>ids 2>err &&
	test_expect_code 65 bus-recv -C st-a -f id >ids 2>err &&
	! grep -x ft ids &&
	grep -F "inbox-a/ft.json: added by commit" err
'

test_expect_success 'a check killed right after its fetch is done by the next command' '
	bus-init --sign-key keys/a -a a hub.git st-k >/dev/null &&
	git -C st-k config bus.requireSigned true &&
	rm -rf raw && git clone -q hub.git raw &&
	msg fk a b >raw/inbox-a/fk.json &&
	forge_unsigned "forged before a kill" &&
	cat >killgit <<-\EOF &&
	#!/bin/sh
	git "$@"; rc=$?
	for a in "$@"; do
		[ "$a" = fetch ] && [ $rc = 0 ] && kill -9 $PPID
	done
	exit $rc
	EOF
	chmod +x killgit &&
	test_expect_code 137 env BUS_GIT="$TRASH_DIRECTORY/killgit" \
		bus-recv -C st-k -f id &&
	test_expect_code 65 bus-recv -C st-k -f id >ids 2>err &&
	! grep -x fk ids &&
	grep -F "inbox-a/fk.json: added by commit" err
'

test_expect_success 'a hub that goes back and forth hides nothing it verified' '
	tip=$(hub_tip) &&
	signed_clone b &&
	msg back1 a b >raw/inbox-a/back1.json &&
	commit_signed "from b, before the rewind" &&
	git -C raw push -q origin HEAD:main &&
	bus-recv -C st-k -f id >ids 2>/dev/null;
	grep -x back1 ids &&
	after=$(hub_tip) &&
	git -C hub.git update-ref refs/heads/main $tip &&
	bus-recv -C st-k -f id >/dev/null 2>&1;
	git -C hub.git update-ref refs/heads/main $after &&
	bus-recv -C st-k -f id >ids 2>err;
	grep -x back1 ids &&
	! grep -F "back1.json" err
'

test_expect_success 'a station without bus.requireSigned checks nothing' '
	bus-init -a b hub.git st-b >/dev/null &&
	signed_clone m &&
	msg forged2 b a >raw/inbox-b/forged2.json &&
	git -C raw add -A && git -C raw commit -q --no-verify -m unsigned &&
	without_hub_hook git -C raw push -q origin HEAD:main &&
	bus-recv -C st-b -f id >ids 2>err &&
	grep -x forged2 ids &&
	! test -e st-b/.git/bus-untrusted
'

test_done
