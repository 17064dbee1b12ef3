#!/bin/sh
test_description='bus-mcp driven by the official MCP TypeScript SDK client'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# The SDK, as ./quickstart installs it (npm ci of tests/mcp's lock file
# into _build/mcp-sdk, named by BUS_MCP_SDK); by hand, npm ci in
# tests/mcp does.  Under the quickstart (BUS_MCP_SDK_REQUIRED) a missing
# SDK is a failure, never a skip.
sdk=${BUS_MCP_SDK:-$BUS_SRC_DIR/tests/mcp/node_modules}
if ! command -v node >/dev/null 2>&1 ||
	[ ! -f "$sdk/@modelcontextprotocol/sdk/package.json" ]; then
	if [ -n "${BUS_MCP_SDK_REQUIRED:-}" ]; then
		test_expect_success "node and the SDK in $sdk" 'false'
	else
		test_skip 'a session through the MCP SDK' \
			"node or the SDK is missing: ./quickstart, or npm ci in tests/mcp"
	fi
	test_done
fi

test_expect_success 'set up: b asks a a question' '
	setup_bus a b >/dev/null &&
	bus-send -C st-b a "ready?" >question &&
	mkdir session &&
	cp "$BUS_SRC_DIR/tests/mcp/session.mjs" session/ &&
	ln -s "$sdk" session/node_modules
'

test_expect_success 'the SDK client: lifecycle, the six tools, a wait, an error, a cancellation' '
	node session/session.mjs "$BUS_BUILD_DIR/bin/bus-mcp" \
		"$TRASH_DIRECTORY/st-a" "$TRASH_DIRECTORY/st-b" \
		"$(cat question)" ids >tap 2>err;
	st=$? &&
	cat tap err &&
	test $st -eq 0 &&
	! grep "^not ok" tap &&
	grep "^1\.\.[1-9]" tap
'

test_expect_success 'what the session did is on the hub' '
	sent=$(sed -n "s/^sent //p" ids) && reply=$(sed -n "s/^reply //p" ids) &&
	q=$(cat question) &&
	git -C hub.git show "main:inbox-b/$sent.json" | json-get body >body &&
	printf "hello from the SDK" >expect && test_cmp expect body &&
	git -C hub.git show "main:inbox-b/$sent.json" | json-get subject >subject &&
	printf sdk >expect && test_cmp expect subject &&
	git -C hub.git show "main:inbox-b/$reply.json" | json-get re >re &&
	printf "%s" "$q" >expect && test_cmp expect re &&
	hub_files archive-a | grep "/$q.json\$" &&
	! hub_files inbox-a | grep "/$q.json\$"
'

test_expect_success 'the session, closed, left no bus tool running' '
	! pgrep -f "bus-recv.*$TRASH_DIRECTORY/st-a" >/dev/null
'

test_done
