#!/bin/sh
test_description='bus-mcp: JSON-RPC framing, hostile input, the tools'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# rpc ID METHOD [PARAMS]: one request line.
rpc () {
	printf '{"jsonrpc":"2.0","id":%s,"method":"%s"%s}\n' "$1" "$2" \
		"${3:+,\"params\":$3}"
}

# call ID TOOL ARGUMENTS: a tools/call line.
call () {
	rpc "$1" tools/call "{\"name\":\"$2\",\"arguments\":$3}"
}

# serve STATION: bus-mcp on stdin for STATION, out to ./out, which must
# hold JSON-RPC messages only; it must exit 0.
serve () {
	bus-mcp -C "$1" >out 2>err &&
	test "$(json-get jsonrpc <out)" = "$(sed "s/.*/2.0/" out | tr -d "\n")"
}

# A session fed from a fifo, for what takes time: start, say, await.
start () {
	rm -f in out rc && mkfifo in || return 1
	{ bus-mcp -C "$1" <in >out 2>err; echo $? >rc; } &
	exec 3>in
}
say () {
	printf '%s\n' "$1" >&3
}
# await PATTERN: a line of out matches, within 60 seconds.
await () {
	_n=0
	until grep -q -e "$1" out; do
		_n=$((_n + 1))
		[ $_n -lt 600 ] || { echo "no $1 in:" >&2; cat out >&2; return 1; }
		sleep 0.1
	done
}
# stop: end the input; bus-mcp exits 0.
stop () {
	exec 3>&-
	_n=0
	until [ -s rc ]; do
		_n=$((_n + 1)); [ $_n -lt 600 ] || return 1; sleep 0.1
	done
	test "$(cat rc)" = 0
}

test_expect_success 'setup' '
	setup_bus a b &&
	bus-init --bare -a c hub.git st-c >/dev/null &&
	bus-init --full -a d hub.git st-d >/dev/null
'

test_expect_success 'initialize answers the version asked, or its newest' '
	{
		rpc 0 initialize "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}" &&
		printf "%s\n" "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}" &&
		rpc 1 initialize "{\"protocolVersion\":\"2099-01-01\"}" &&
		rpc 2 initialize "{\"protocolVersion\":\"2024-11-05\"}"
	} | serve st-a &&
	test $(wc -l <out) = 3 &&
	sed -n "s/.*\"id\":\([0-9]\),\"result\":{\"protocolVersion\":\"\([^\"]*\)\".*/\1 \2/p" out >got &&
	printf "0 2025-06-18\n1 2025-11-25\n2 2024-11-05\n" >want &&
	test_cmp want got &&
	grep "\"serverInfo\":{\"name\":\"bus-mcp\"" out &&
	test_must_be_empty err
'

test_expect_success 'tools/list: the six tools, each with both schemas' '
	rpc 1 tools/list | serve st-a &&
	for t in bus_send bus_recv bus_ack bus_status bus_show bus_wait; do
		grep -o "{\"name\":\"$t\",[^}]*" out >tool &&
		test $(wc -l <tool) = 1 || return 1
	done &&
	test $(grep -o "\"inputSchema\":{\"type\":\"object\"" out | wc -l) = 6 &&
	test $(grep -o "\"outputSchema\":{\"type\":\"object\"" out | wc -l) = 6
'

test_expect_success 'ids: strings and integers echoed as written' '
	{
		rpc "\"x\\\\u0041\"" ping && rpc 0 ping && rpc -7 ping &&
		rpc 123456789012345678901234567890 ping && rpc "\"\"" ping
	} | serve st-a &&
	cat >want <<-\EOF &&
	{"jsonrpc":"2.0","id":"x\\u0041","result":{}}
	{"jsonrpc":"2.0","id":0,"result":{}}
	{"jsonrpc":"2.0","id":-7,"result":{}}
	{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":{}}
	{"jsonrpc":"2.0","id":"","result":{}}
	EOF
	test_cmp want out
'

test_expect_success 'ids of any other type: -32600 with id null' '
	{
		rpc null ping && rpc true ping && rpc false ping &&
		rpc 1.5 ping && rpc 1e3 ping && rpc "[1]" ping &&
		rpc "{\"a\":1}" ping
	} | serve st-a &&
	test $(wc -l <out) = 7 &&
	! grep -v "^{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Invalid request: id: not a string or an integer\"}}$" out
'

test_expect_success 'malformed JSON, invalid UTF-8, duplicate keys, deep nesting: -32700' '
	{
		echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"" &&
		printf "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"p\\377\"}\n" &&
		echo "{\"jsonrpc\":\"2.0\",\"id\":3,\"id\":4,\"method\":\"ping\"}" &&
		printf "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":%s1%s}\n" \
			"$(printf "%065d" 0 | tr 0 "[")" "$(printf "%065d" 0 | tr 0 "]")" &&
		rpc 6 ping
	} | serve st-a &&
	test $(wc -l <out) = 5 &&
	test $(grep -c "^{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error: " out) = 4 &&
	grep "duplicate" out && grep "nesting" out &&
	tail -n 1 out >last &&
	echo "{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}" >want &&
	test_cmp want last
'

test_expect_success 'a line over 8 MiB: -32700 once, skipped to its newline' '
	{
		head -c 9000000 /dev/zero | tr "\0" " " && echo &&
		rpc 1 ping
	} | serve st-a &&
	cat >want <<-\EOF &&
	{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: a message over 8 MiB"}}
	{"jsonrpc":"2.0","id":1,"result":{}}
	EOF
	test_cmp want out
'

test_expect_success 'CRLF, blank lines, notifications and responses: nothing said' '
	{
		printf "\r\n\n" &&
		printf "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"}\n" &&
		printf "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}\n" &&
		printf "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n"
	} | serve st-a &&
	echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}" >want &&
	test_cmp want out
'

test_expect_success 'unknown method -32601; unknown tool, bad tools/call -32602' '
	{
		rpc 1 server/discover && rpc 2 resources/list &&
		call 3 bus_nope "{}" &&
		rpc 4 tools/call "{\"arguments\":{}}" &&
		rpc 5 tools/call "{\"name\":\"bus_recv\",\"arguments\":[]}" &&
		rpc 6 tools/call "[]" &&
		echo "{\"jsonrpc\":\"2.0\",\"id\":7}" &&
		echo "{\"jsonrpc\":\"1.0\",\"id\":8,\"method\":\"ping\"}"
	} | serve st-a &&
	cat >want <<-\EOF &&
	{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: server/discover"}}
	{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found: resources/list"}}
	{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Unknown tool: bus_nope"}}
	{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"params: no tool name"}}
	{"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"arguments: not an object"}}
	{"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"params: not an object"}}
	{"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"Invalid request: no method"}}
	{"jsonrpc":"2.0","id":8,"error":{"code":-32600,"message":"Invalid request: jsonrpc: not \"2.0\""}}
	EOF
	test_cmp want out
'

test_expect_success 'bad arguments: isError results naming them, the hub unchanged' '
	before=$(hub_tip) &&
	{
		call 1 bus_send "{\"to\":\"a b\",\"body\":\"x\"}" &&
		call 2 bus_send "{\"to\":[\"b\"],\"body\":\"x\",\"color\":1}" &&
		call 3 bus_send "{\"to\":\"b\"}" &&
		call 4 bus_ack "{\"ids\":[\"../x\"]}" &&
		call 5 bus_wait "{\"timeout\":3601}" &&
		call 6 bus_recv "{\"archive\":\"yes\"}" &&
		call 7 bus_send "{\"to\":[],\"body\":\"x\"}"
	} | serve st-a &&
	cat >want <<-\EOF &&
	{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"to: \"a b\": not an agent name"}],"isError":true}}
	{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"unknown argument: \"color\""}],"isError":true}}
	{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"body: missing"}],"isError":true}}
	{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"ids: \"../x\": not a message id"}],"isError":true}}
	{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"timeout: \"3601\": not from 0 to 3600 seconds"}],"isError":true}}
	{"jsonrpc":"2.0","id":6,"result":{"content":[{"type":"text","text":"archive: not true or false"}],"isError":true}}
	{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"to: empty"}],"isError":true}}
	EOF
	test_cmp want out &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'a tool error: an unknown agent, the tool'"'"'s message' '
	before=$(hub_tip) &&
	call 1 bus_send "{\"to\":\"nosuch\",\"body\":\"x\"}" | serve st-a &&
	echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"bus-send: inbox-nosuch: no such agent\"}],\"isError\":true}}" >want &&
	test_cmp want out &&
	test "$(hub_tip)" = "$before"
'

for st in b c d; do
test_expect_success "send, recv, ack with reply, show the thread ($st)" '
	call 1 bus_send "{\"to\":[\"$st\"],\"body\":\"line 1\\nline 2\",\"type\":\"question\",\"fields\":{\"subject\":\"hi\"}}" |
	serve st-a &&
	id=$(sed -n "s/.*\"ids\":\[\"\([^\"]*\)\"\].*/\1/p" out) &&
	test -n "$id" &&
	git -C hub.git cat-file -p main:inbox-$st/$id.json >file &&
	grep "\"body\":\"line 1\\\\nline 2\"" file && grep "\"subject\":\"hi\"" file &&
	call 2 bus_recv "{}" | serve st-$st &&
	grep "\"messages\":\[{\"id\":\"$id\"" out &&
	grep "$id.*line 1" out &&
	call 3 bus_ack "{\"ids\":[\"$id\"],\"reply\":true}" | serve st-$st &&
	grep "\"acked\":\[\"$id\"\],\"replies\":\[\"" out &&
	reply=$(sed -n "s/.*\"replies\":\[\"\([^\"]*\)\"\].*/\1/p" out) &&
	hub_files archive-$st | grep $id &&
	git -C hub.git cat-file -p main:inbox-a/$reply.json | grep "\"re\":\"$id\"" &&
	{
		call 4 bus_show "{\"id\":\"$reply\",\"thread\":true}" &&
		call 5 bus_status "{\"ids\":[\"$id\"]}"
	} | serve st-a &&
	grep "\"id\":4,.*\"messages\":\[{\"id\":\"$id\".*{\"id\":\"$reply\"" out &&
	grep "\"id\":5,.*\"state\":\"acked\"" out
'
done

test_expect_success 'a body over bus.maxSize: isError naming the sizes, the hub unchanged' '
	before=$(hub_tip) &&
	git -C st-a config bus.maxSize 100 &&
	call 1 bus_send "{\"to\":\"b\",\"body\":\"$(printf "%0200d" 0)\"}" |
	serve st-a;
	st=$? &&
	git -C st-a config --unset bus.maxSize &&
	test $st -eq 0 &&
	grep "\"isError\":true" out &&
	grep "313 bytes, larger than 100 bytes (bus.maxSize)" out &&
	test "$(hub_tip)" = "$before"
'

test_expect_success 'ten calls in flight at once: ten answers, ten messages' '
	before=$(hub_files inbox-b | wc -l) &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		call $i bus_send "{\"to\":\"b\",\"body\":\"at once $i\"}" || exit 1
	done | serve st-a &&
	test $(wc -l <out) -eq 10 &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		grep -c "\"id\":$i,\"result\":{.*\"ids\":\[\"" out >n &&
		echo 1 >one && test_cmp one n || exit 1
	done &&
	test $(hub_files inbox-b | wc -l) -eq $((before + 10)) &&
	bus-recv -C st-b -f json | grep -c "\"body\":\"at once " >n &&
	echo 10 >ten && test_cmp ten n
'

test_expect_success 'bus_status without ids: the sends and the agents' '
	call 1 bus_status "{}" | serve st-a &&
	grep "\"agents\":\[{\"agent\":\"a\"" out
'

test_expect_success 'ping while bus_wait runs; the wait cancelled: no answer' '
	bus-recv -C st-a -f id | bus-ack -C st-a - &&
	start st-a &&
	say "$(call 1 bus_wait "{\"timeout\":600}")" &&
	sleep 1 &&
	say "$(rpc 2 ping)" &&
	await "\"id\":2,\"result\":{}" &&
	say "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1,\"reason\":\"t\"}}" &&
	say "$(rpc 3 ping)" &&
	await "\"id\":3," &&
	stop &&
	! grep "\"id\":1," out &&
	! pgrep -f "bus-recv -C st-a -f json --wait=600"
'

test_expect_success 'bus_wait: a message arriving mid-wait' '
	start st-a &&
	say "$(call 1 bus_wait "{\"timeout\":60}")" &&
	sleep 2 &&
	id=$(bus-send -C st-b a "mid-wait") &&
	await "\"id\":1," &&
	stop &&
	grep "\"messages\":\[{\"id\":\"$id\".*\"timed_out\":false" out
'

test_expect_success 'bus_wait times out: timed_out true' '
	bus-recv -C st-a -f id | bus-ack -C st-a - &&
	call 1 bus_wait "{\"timeout\":0}" >req &&
	start st-a && say "$(cat req)" && await "\"id\":1," && stop &&
	grep "\"messages\":\[\],\"timed_out\":true,\"status\":0" out
'

test_expect_success 'end of input: calls answered, waits ended, exit 0' '
	{
		call 1 bus_recv "{}" && call 2 bus_wait "{\"timeout\":600}"
	} | serve st-a &&
	grep "\"id\":1," out && ! grep "\"id\":2," out
'

test_expect_success 'the hub away: 75 is a result with the note' '
	mv hub.git hub.away &&
	call 1 bus_send "{\"to\":\"b\",\"body\":\"later\"}" | serve st-a &&
	mv hub.away hub.git &&
	grep "\"structuredContent\":{\"ids\":\[\"[^\"]*\"\],\"status\":75,\"note\":" out &&
	! grep isError out
'

test_expect_success 'usage' '
	test_expect_code 64 bus-mcp extra &&
	test_expect_code 64 bus-mcp -a "bad name" </dev/null &&
	bus-mcp --version | grep "^bus-mcp (git-bus) "
'

test_done
