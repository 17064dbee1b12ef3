#!/bin/sh
test_description='presence: one ref per agent, replaced by each beat'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# doc_of GITDIR REF: the presence.json of REF in GITDIR.
doc_of () {
	git -C "$TRASH_DIRECTORY/$1" cat-file blob "$2:presence.json"
}

# presence_commit DOC [ENTRY [COMMIT-TREE-OPTIONS...]]: the id of a new
# commit in ./raw whose tree holds presence.json with the line DOC, and
# ENTRY (a line of git mktree) when not empty.
presence_commit () {
	_doc=$1
	_more=${2-}
	shift
	if test $# -gt 0; then shift; fi
	_b=$(printf "%s\n" "$_doc" | git -C raw hash-object -w --stdin) &&
	_t=$({ printf "100644 blob %s\tpresence.json\n" "$_b" &&
		if test -n "$_more"; then printf "%s\n" "$_more"; fi; } |
		git -C raw mktree) &&
	git -C raw commit-tree "$@" -m presence "$_t"
}

# refused_ref REF SPEC EXPECTED [HUB]: pushing SPEC from ./raw to HUB
# (hub.git) is refused, REF on the hub is unchanged, and the refusal
# (in ./err) says EXPECTED.
refused_ref () {
	_hub=$TRASH_DIRECTORY/${4:-hub.git}
	_before=$(git -C "$_hub" rev-parse -q --verify "$1") ||
		_before=none
	test_must_fail git -C raw push -q "$_hub" "$2" \
		2>"$TRASH_DIRECTORY/err" &&
	_after=$(git -C "$_hub" rev-parse -q --verify "$1") || _after=none
	test "$_before" = "$_after" &&
	grep -F -e "$3" "$TRASH_DIRECTORY/err"
}

# refused_doc DOC EXPECTED: a presence commit holding DOC, pushed as
# refs/bus/presence/b, is refused for EXPECTED.
refused_doc () {
	_c=$(presence_commit "$1") &&
	refused_ref refs/bus/presence/b "+$_c:refs/bus/presence/b" 		"refs/bus/presence/b: $2"
}

TS=2026-12-01T03:00:00Z

# agent_line AGENT: bus-status's line of AGENT in ./out.
agent_line () {
	grep "^{\"agent\":\"$1\"" "$TRASH_DIRECTORY/out"
}

test_expect_success 'set up a hub, a station, a bare one and a full one' '
	bus-init --hub hub.git &&
	bus-init -a a hub.git st-a >/dev/null &&
	bus-init --bare -a b hub.git st-b >/dev/null &&
	bus-init --full -a c hub.git st-c >/dev/null &&
	for s in a b c; do bus-recv -C st-$s -f id >/dev/null || exit 1; done &&
	git clone -q hub.git raw
'

test_expect_success 'a beat sets the presence ref: one commit, no parent, one file' '
	before=$(hub_tip) &&
	bus-sync -C st-a --state reviewing >out &&
	grep ", heartbeat sent\$" out &&
	test "$(hub_tip)" = "$before" &&
	test "$(git -C hub.git rev-list --count refs/bus/presence/a)" = 1 &&
	git -C hub.git ls-tree refs/bus/presence/a >tree &&
	test $(wc -l <tree) = 1 &&
	grep "^100644 blob [0-9a-f]*	presence.json\$" tree &&
	doc_of hub.git refs/bus/presence/a >doc &&
	printf "{\"agent\":\"a\",\"ts\":\"%s\",\"state\":\"reviewing\"}\n" \
		"$(json-get ts <doc)" >expect &&
	test_cmp expect doc &&
	test "$(git -C st-a rev-parse refs/bus/presence/a)" = \
		"$(git -C hub.git rev-parse refs/bus/presence/a)" &&
	test "$(git -C st-a rev-parse refs/bus/hub-presence/a)" = \
		"$(git -C hub.git rev-parse refs/bus/presence/a)"
'

test_expect_success 'bus.heartbeat beats once per interval; the state stays' '
	git -C st-a config bus.heartbeat 3600 &&
	bus-sync -C st-a >out &&
	! grep "heartbeat sent" out &&
	rm st-a/.git/bus-heartbeat &&
	sleep 1 &&
	old=$(git -C hub.git rev-parse refs/bus/presence/a) &&
	bus-sync -C st-a >out &&
	grep ", heartbeat sent\$" out &&
	new=$(git -C hub.git rev-parse refs/bus/presence/a) &&
	test "$old" != "$new" &&
	doc_of hub.git refs/bus/presence/a | json-get state >state &&
	echo reviewing >expect && echo >>state &&
	test_cmp expect state &&
	bus-sync -C st-a >out &&
	! grep "heartbeat sent" out &&
	test "$(git -C hub.git rev-parse refs/bus/presence/a)" = "$new" &&
	test "$(git -C hub.git rev-list --count refs/bus/presence/a)" = 1
'

test_expect_success 'heartbeats are no mail: nothing in any inbox' '
	git -C hub.git ls-tree -r --name-only main >files &&
	! grep "^inbox-.*/[^.]" files &&
	bus-recv -C st-b -n --type heartbeat -f id >ids &&
	test_must_be_empty ids
'

test_expect_success '50 beats leave the tip tree and the history as they were' '
	git -C hub.git rev-parse main^{tree} >tree.before &&
	git -C hub.git rev-list --count main >count.before &&
	i=1 && while [ $i -le 50 ]; do
		bus-sync -C st-b -q --state "beat $i" || exit 1
		i=$((i + 1))
	done &&
	git -C hub.git rev-parse main^{tree} >tree.after &&
	git -C hub.git rev-list --count main >count.after &&
	test_cmp tree.before tree.after &&
	test_cmp count.before count.after &&
	test "$(git -C hub.git rev-list --count refs/bus/presence/b)" = 1 &&
	git -C hub.git for-each-ref --format="%(refname)" refs/bus/ |
		grep -v -e "^refs/bus/queue/" -e "^refs/bus/mode/" >refs &&
	printf "refs/bus/presence/a\nrefs/bus/presence/b\n" >expect &&
	test_cmp expect refs &&
	doc_of hub.git refs/bus/presence/b | json-get state >state &&
	test "$(cat state)" = "beat 50"
'

test_expect_success 'bus-status on another station: the heartbeat and the state' '
	doc_of hub.git refs/bus/presence/b >doc &&
	ts=$(json-get ts <doc) &&
	bus-status -C st-c >out &&
	agent_line b | grep "\"heartbeat\":\"$ts\",\"state\":\"beat 50\"}\$" &&
	agent_line c | grep "\"heartbeat\":null,\"state\":null}\$" &&
	bus-status -C st-c -n -f text >out &&
	grep "^AGENT  *UNREAD  *SEEN  *HEARTBEAT  *STATE\$" out &&
	grep "^b  *0  *-  *$ts  *beat 50\$" out &&
	grep "^c  *0  *-  *-  *-\$" out
'

test_expect_success '... in a bare station and a sparse one too' '
	ts=$(doc_of hub.git refs/bus/presence/a | json-get ts) &&
	bus-status -C st-b >out &&
	agent_line a | grep "\"heartbeat\":\"$ts\",\"state\":\"reviewing\"}\$" &&
	ts=$(doc_of hub.git refs/bus/presence/b | json-get ts) &&
	bus-status -C st-a >out &&
	agent_line b | grep "\"heartbeat\":\"$ts\",\"state\":\"beat 50\"}\$"
'

test_expect_success 'a state with quotes and UTF-8: JSON-escaped, shown as is' '
	bus-sync -C st-c -q --state "says \"hi\" \\ caf$(printf "\303\251")" &&
	bus-status -C st-a >out &&
	agent_line c | grep -F "\"state\":\"says \\\"hi\\\" \\\\ caf$(printf "\303\251")\"}" &&
	bus-status -C st-a -n -f text >out &&
	grep -F "says \"hi\" \\ caf$(printf "\303\251")" out
'

test_expect_success '--state "" drops the state' '
	bus-sync -C st-c -q --state "" &&
	doc_of hub.git refs/bus/presence/c >doc &&
	! grep state doc &&
	bus-status -C st-a >out &&
	agent_line c | grep "\"state\":null}\$"
'

test_expect_success '--state: control characters or more than 1024 bytes: 64, no beat' '
	before=$(git -C hub.git rev-parse refs/bus/presence/c) &&
	test_expect_code 64 bus-sync -C st-c --state "$(printf "a\033[2Jb")" 2>err &&
	grep "without control characters" err &&
	test_expect_code 64 bus-sync -C st-c --state "$(printf "%01025d" 0)" &&
	test_expect_code 64 bus-sync -C st-c --state "$(printf "\377")" &&
	test "$(git -C hub.git rev-parse refs/bus/presence/c)" = "$before" &&
	bus-sync -C st-c -q --state "$(printf "%01024d" 0)"
'

test_expect_success 'refused by the hub: presence of an agent with no inbox' '
	c=$(presence_commit "{\"agent\":\"zed\",\"ts\":\"$TS\"}") &&
	refused_ref refs/bus/presence/zed "$c:refs/bus/presence/zed" \
		"refs/bus/presence/zed: zed has no inbox on the bus branch"
'

test_expect_success 'refused by the hub: presence.json for another agent' '
	c=$(presence_commit "{\"agent\":\"a\",\"ts\":\"$TS\"}") &&
	refused_ref refs/bus/presence/b "+$c:refs/bus/presence/b" \
		"refs/bus/presence/b: presence.json: agent is a, not b"
'

test_expect_success 'refused by the hub: two files, an executable, another name' '
	x=$(echo extra | git -C raw hash-object -w --stdin) &&
	c=$(presence_commit "{\"agent\":\"b\",\"ts\":\"$TS\"}" \
		"100644 blob $x	extra") &&
	refused_ref refs/bus/presence/b "+$c:refs/bus/presence/b" \
		"refs/bus/presence/b: its tree must hold presence.json alone, a regular file" &&
	d=$(echo "{\"agent\":\"b\",\"ts\":\"$TS\"}" | git -C raw hash-object -w --stdin) &&
	for entry in "100755 blob $d	presence.json" "100644 blob $d	presence.jsn" \
		"100644 blob $d	state.json"; do
		t=$(printf "%s\n" "$entry" | git -C raw mktree) &&
		c=$(git -C raw commit-tree -m presence "$t") &&
		refused_ref refs/bus/presence/b "+$c:refs/bus/presence/b" \
			"refs/bus/presence/b: its tree" || return 1
	done
'

test_expect_success 'refused by the hub: a commit with a parent' '
	p=$(presence_commit "{\"agent\":\"b\",\"ts\":\"$TS\"}") &&
	c=$(presence_commit "{\"agent\":\"b\",\"ts\":\"2026-12-01T03:05:00Z\"}" "" -p "$p") &&
	refused_ref refs/bus/presence/b "+$c:refs/bus/presence/b" \
		"refs/bus/presence/b: a commit with a parent"
'

test_expect_success 'refused by the hub: junk JSON, other members, a bad state' '
	refused_doc "{\"agent\":\"b\",\"ts\":" \
		"presence.json: invalid JSON" &&
	refused_doc "{\"agent\":\"b\",\"ts\":\"$TS\",\"x\":1}" \
		"presence.json: a member other than" &&
	refused_doc "{\"agent\":\"b\",\"ts\":\"$TS\",\"state\":\"\\u001b[2J\"}" \
		"presence.json: state: not text" &&
	refused_doc "{\"agent\":\"b\",\"ts\":\"yesterday\"}" \
		"presence.json: ts: not a time" &&
	refused_doc "{\"agent\":\"b\",\"ts\":\"$TS\",\"state\":\"$(printf "%01025d" 0)\"}" \
		"presence.json: state: not text of at most 1024 bytes" &&
	refused_doc "[\"b\"]" "presence.json: not a JSON object" &&
	refused_doc "{\"ts\":\"$TS\"}" "presence.json: agent and ts are required"
'

test_expect_success 'refused by the hub: a deletion, a bad name, another ref under refs/bus/' '
	refused_ref refs/bus/presence/b ":refs/bus/presence/b" \
		"refs/bus/presence/b: a presence ref is never deleted" &&
	c=$(presence_commit "{\"agent\":\"b\",\"ts\":\"$TS\"}") &&
	refused_ref refs/bus/presence/B "$c:refs/bus/presence/B" \
		"refs/bus/presence/B: not an agent name" &&
	refused_ref refs/bus/refused/x "$c:refs/bus/refused/x" \
		"refs/bus/refused/x: under refs/bus/ a push may set only refs/bus/presence/<agent>" &&
	refused_ref refs/bus/presence/b/x "$c:refs/bus/presence/b/x" \
		"not an agent name"
'

test_expect_success 'accepted: a well-formed presence, pushed by hand' '
	c=$(presence_commit "{\"agent\":\"b\",\"ts\":\"$TS\",\"state\":\"by hand\"}") &&
	git -C raw push -q origin "+$c:refs/bus/presence/b" &&
	test "$(git -C hub.git rev-parse refs/bus/presence/b)" = "$c"
'

test_expect_success 'a hub that refuses the beat: the branch is pushed, 65, the beat waits' '
	mv hub.git/hooks/pre-receive pre-receive.real &&
	printf "#!/bin/sh\nwhile read o n r; do case \$r in refs/bus/presence/*) echo \"no presence here\"; exit 1;; esac; done\n" \
		>hub.git/hooks/pre-receive &&
	chmod +x hub.git/hooks/pre-receive &&
	(cd st-a && bus-send --no-push b "with a beat") >id &&
	before=$(git -C hub.git rev-parse refs/bus/presence/a) &&
	{ bus-sync -C st-a --state busy >out 2>err; echo $? >code; } &&
	mv pre-receive.real hub.git/hooks/pre-receive &&
	echo 65 >expect && test_cmp expect code &&
	grep "the hub refused refs/bus/presence/a, this station.s heartbeat: no presence here" err &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	test "$(git -C hub.git rev-parse refs/bus/presence/a)" = "$before" &&
	git -C st-a for-each-ref refs/bus/refused/ >aside &&
	test_must_be_empty aside &&
	bus-sync -C st-a >out &&
	! grep "heartbeat sent" out &&
	test "$(git -C hub.git rev-parse refs/bus/presence/a)" = \
		"$(git -C st-a rev-parse refs/bus/presence/a)" &&
	doc_of hub.git refs/bus/presence/a | json-get state >state &&
	test "$(cat state)" = busy
'

test_expect_success 'the hub away: the beat waits in the station, 75' '
	mv hub.git hub.away &&
	{ bus-sync -C st-a --state later >out 2>err; echo $? >code; } &&
	mv hub.away hub.git &&
	echo 75 >expect && test_cmp expect code &&
	grep ", heartbeat sent\$" out &&
	test "$(git -C hub.git rev-parse refs/bus/presence/a)" != \
		"$(git -C st-a rev-parse refs/bus/presence/a)" &&
	bus-sync -C st-a >out &&
	test "$(git -C hub.git rev-parse refs/bus/presence/a)" = \
		"$(git -C st-a rev-parse refs/bus/presence/a)"
'

# Migration: an older station sends a heartbeat message to every other
# agent (type heartbeat, an empty body), as bus-send -t heartbeat does.
test_expect_success 'old heartbeat messages: readable, archived, shown by bus-status' '
	(cd st-c && bus-send -t heartbeat a "" && bus-send -t heartbeat b "") \
		>old &&
	bus-recv -C st-a --type heartbeat -f id >ids &&
	head -1 old >expect &&
	test_cmp expect ids &&
	git -C st-c update-ref -d refs/bus/presence/c &&
	git -C hub.git update-ref -d refs/bus/presence/c &&
	git -C st-a update-ref -d refs/bus/hub-presence/c &&
	bus-sync -C st-a >out &&
	grep ", 1 heartbeat read\$" out &&
	git -C hub.git ls-tree -r --name-only main archive-a/ >archived &&
	grep "/$(head -1 old).json\$" archived &&
	bus-recv -C st-a -n --type heartbeat -f id >left &&
	test_must_be_empty left &&
	# the newest of them: the last one sent, to b
	ts=$(git -C hub.git cat-file blob "main:inbox-b/$(tail -1 old).json" |
		json-get ts) &&
	bus-status -C st-a >out &&
	agent_line c | grep "\"heartbeat\":\"$ts\",\"state\":null}\$"
'

test_expect_success 'an older station, which fetches no presence, shows none' '
	git -C st-b for-each-ref --format="delete %(refname)" \
		refs/bus/hub-presence/ | git -C st-b update-ref --stdin &&
	bus-status -C st-b -n >out &&
	agent_line a | grep "\"heartbeat\":null,\"state\":null}\$"
'

# A hub that runs no hook (a git host, or an older bus-check): anyone
# may push anything there, and the stations take none of it on trust.
test_expect_success 'a hub without a hook: hostile presence is reported and skipped' '
	git init -q --bare plain.git &&
	git -C hub.git push -q "$TRASH_DIRECTORY/plain.git" main &&
	bus-init -a d plain.git st-d >/dev/null &&
	bus-init -a e plain.git st-e >/dev/null &&
	bus-sync -C st-e -q --state fine &&
	git clone -q plain.git raw2 &&
	rm -rf raw && mv raw2 raw &&
	big=$(printf "{\"agent\":\"a\",\"ts\":\"$TS\",\"state\":\"%0200000d\"}" 0) &&
	c1=$(presence_commit "$big") &&
	c2=$(presence_commit "{\"agent\":\"b\",\"ts\":\"$TS\",\"state\":\"\\u001b]0;pwned\\u0007\"}") &&
	c3=$(presence_commit "{\"agent\":\"a\",\"ts\":\"$TS\"}") &&
	t=$(git -C raw rev-parse HEAD^{tree}) &&
	git -C raw push -q origin "$c1:refs/bus/presence/a" \
		"$c2:refs/bus/presence/b" "$c3:refs/bus/presence/c" \
		"$t:refs/bus/presence/d" "$c3:refs/bus/presence/zz" &&
	bus-status -C st-d >out 2>err &&
	grep -v "^bus-status: refs/bus/presence/[a-z]*: .*; skipped\$" err >stray ||
		: &&
	grep "refs/bus/presence/a: presence.json: 2000[0-9]* bytes, more than 8192; skipped" err &&
	grep "refs/bus/presence/b: presence.json: state: not text" err &&
	grep "refs/bus/presence/c: its agent is a; skipped" err &&
	grep "refs/bus/presence/d: not a commit; skipped" err &&
	grep "refs/bus/presence/zz: no such agent on the bus; skipped" err &&
	! grep "$(printf "\033")" err out &&
	agent_line e | grep "\"heartbeat\":\"....-..-..T..:..:..Z\",\"state\":\"fine\"}\$" &&
	for a in a b d; do
		agent_line $a | grep "\"heartbeat\":null,\"state\":null}\$" ||
			return 1
	done &&
	agent_line c | grep "\"state\":null}\$" &&
	test_must_be_empty stray &&
	(cd st-d && bus-send e "still works") >id &&
	bus-recv -C st-e -f id >got &&
	test_cmp id got
'

test_expect_success 'a ref gone from the hub makes way for one under its name' '
	git -C plain.git update-ref -d refs/bus/presence/zz &&
	git -C plain.git update-ref refs/bus/presence/zz/x \
		refs/bus/presence/c &&
	bus-status -C st-d >out 2>err &&
	grep "refs/bus/presence/zz/x: not an agent name; skipped" err &&
	test_must_fail git -C st-d rev-parse -q --verify refs/bus/hub-presence/zz &&
	git -C st-d rev-parse -q --verify refs/bus/hub-presence/zz/x
'

test_expect_success 'presence git cannot store in a station does not jam it' '
	bus-sync -C st-e -q --state "moved on" &&
	: >st-d/.git/refs/bus/hub-presence/e.lock &&
	(cd st-e && bus-send d "through") >id &&
	bus-recv -C st-d -f id >got 2>err &&
	rm st-d/.git/refs/bus/hub-presence/e.lock &&
	test_cmp id got &&
	grep "warning: refs/bus/presence/\*: this station cannot store them: .*; skipped" err &&
	bus-status -C st-d >out 2>err &&
	agent_line e | grep "\"state\":\"moved on\"}\$"
'

test_expect_success 'bus-init --hub again installs the hook that checks presence' '
	bus-init --hub plain.git &&
	c=$(presence_commit "{\"agent\":\"e\",\"ts\":\"$TS\",\"x\":1}") &&
	refused_ref refs/bus/presence/e "+$c:refs/bus/presence/e" \
		"refs/bus/presence/e: presence.json: a member other than" plain.git &&
	bus-sync -C st-e -q --state again &&
	doc_of plain.git refs/bus/presence/e | json-get state >state &&
	test "$(cat state)" = again
'

skip_all_without ssh-keygen 'signed mode'

# signed_presence KEY DOC: a presence commit in ./raw holding DOC,
# signed by keys/KEY.
signed_presence () {
	_c=$(presence_commit "$2") &&
	git -C raw -c gpg.format=ssh \
		-c user.signingKey="$TRASH_DIRECTORY/keys/$1" \
		commit-tree -S -m presence "$_c^{tree}"
}

FORGED='{"agent":"f","ts":"2026-12-01T03:00:00Z","state":"forged"}'

test_expect_success 'signed mode: set up keys and a hub that requires signatures' '
	make_keys f g x &&
	bus-init --hub signed.git &&
	bus-init -a f --sign-key keys/f signed.git st-f >/dev/null &&
	bus-init -a g --sign-key keys/g signed.git st-g >/dev/null &&
	signed_hub signed.git f g &&
	bus-recv -C st-f -f id >/dev/null && bus-recv -C st-g -f id >/dev/null
'

test_expect_success 'signed mode: a station beats, signed with its key' '
	bus-sync -C st-f -q --state signed &&
	git -C signed.git cat-file commit refs/bus/presence/f >commit &&
	grep "^gpgsig -----BEGIN SSH SIGNATURE-----" commit &&
	git -C st-g config bus.requireSigned true &&
	bus-status -C st-g >out 2>err &&
	agent_line f | grep "\"state\":\"signed\"}\$" &&
	test_must_be_empty err
'

test_expect_success 'signed mode: presence signed by the wrong key, or unsigned, is refused' '
	rm -rf raw && git clone -q signed.git raw &&
	c=$(signed_presence g "$FORGED") &&
	refused_ref refs/bus/presence/f "+$c:refs/bus/presence/f" \
		"refs/bus/presence/f: signed commits are required, and this one is signed by g, not" signed.git &&
	c=$(signed_presence x "$FORGED") &&
	refused_ref refs/bus/presence/f "+$c:refs/bus/presence/f" \
		"signed by no listed key, not by a key that .bus/allowed_signers lists for f" signed.git &&
	c=$(presence_commit "$FORGED") &&
	refused_ref refs/bus/presence/f "+$c:refs/bus/presence/f" \
		"signed by no listed key" signed.git
'

test_expect_success 'signed mode: a station ignores presence its signers did not sign' '
	c=$(signed_presence g "$FORGED") &&
	mv signed.git/hooks/pre-receive pre-receive.off &&
	git -C raw push -q origin "+$c:refs/bus/presence/f" &&
	mv pre-receive.off signed.git/hooks/pre-receive &&
	bus-status -C st-g >out 2>err &&
	grep "refs/bus/presence/f: not signed by f.s key in .bus/allowed_signers (bus.requireSigned); skipped" err &&
	agent_line f | grep "\"heartbeat\":null,\"state\":null}\$" &&
	git -C st-g config bus.requireSigned false &&
	bus-status -C st-g -n >out &&
	agent_line f | grep "\"state\":\"forged\"}\$"
'

test_done
