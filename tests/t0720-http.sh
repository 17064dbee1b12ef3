#!/bin/sh
test_description='a hub served by git http-backend behind lighttpd on 127.0.0.1'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# SPEC section 4 over smart HTTP: lighttpd of its own (a configuration
# in the trash directory, listening on a free port of 127.0.0.1 only)
# runs git http-backend for the hub hub.git, made by bus-init --hub,
# whose pre-receive hook then runs under http-backend.  The stations
# clone it as http://127.0.0.1:PORT/git/hub.git.

LIGHTTPD=/usr/sbin/lighttpd
skip_all_without "$LIGHTTPD" 'a hub behind git http-backend'
BACKEND="$(git --exec-path)/git-http-backend"
skip_all_without "$BACKEND" 'a hub behind git http-backend'

H=$TRASH_DIRECTORY/http
. "$BUS_SRC_DIR/tests/lib-sshd.sh"
mkdir -p "$H/www" || exit 1

# start_httpd PORT: run lighttpd on 127.0.0.1:PORT in the background
# until it serves (0) or gives up (1, the port taken, say).
start_httpd () {
	rm -f "$H/lighttpd.pid" "$H/error.log"
	sed "s/@PORT@/$1/" "$H/lighttpd.conf.in" >"$H/lighttpd.conf" &&
	"$LIGHTTPD" -D -f "$H/lighttpd.conf" </dev/null >>"$H/stderr" 2>&1 &
	_pid=$!
	_n=0
	while ! grep -q "server started" "$H/error.log" 2>/dev/null ||
		! test -s "$H/lighttpd.pid"
	do
		if ! kill -0 $_pid 2>/dev/null || [ $_n -ge 200 ]; then
			kill $_pid 2>/dev/null
			return 1
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
}

# stop_httpd: stop lighttpd by its pid file, and wait until it is gone
# (tests/lib-sshd.sh's stop_pidfile, which any server of ours uses).
stop_httpd () {
	stop_pidfile "$H/lighttpd.pid" lighttpd
}

# An interrupted run or a failing test must not leave lighttpd running.
trap 'stop_httpd' EXIT
trap 'exit 1' INT TERM HUP

# url [PATH]: the http:// address of PATH (hub.git) in the trash directory.
url () {
	echo "http://127.0.0.1:$(cat "$H/port")/git/${1:-hub.git}"
}

# queued ST: how many commits of the station ST the hub does not have.
queued () {
	git -C "$TRASH_DIRECTORY/$1" rev-list --count origin/main..main
}

# A message that the hub refuses once it takes at most 400 bytes.
BIG="a body long enough to pass 400 bytes once it is a message: $(printf "%0400d" 0)"

test_expect_success 'set up: a hub, lighttpd on a free port of 127.0.0.1' '
	bus-init --hub hub.git &&
	git -C hub.git config http.receivepack true &&
	cat >"$H/lighttpd.conf.in" <<-EOF &&
	server.modules = ( "mod_alias", "mod_setenv", "mod_cgi", "mod_accesslog" )
	server.bind = "127.0.0.1"
	server.port = @PORT@
	server.document-root = "$H/www"
	server.pid-file = "$H/lighttpd.pid"
	server.errorlog = "$H/error.log"
	server.upload-dirs = ( "$H" )
	accesslog.filename = "$H/access.log"
	alias.url = ( "/git" => "$BACKEND" )
	\$HTTP["url"] =~ "^/git" {
		cgi.assign = ( "" => "" )
		setenv.set-environment = (
			"GIT_PROJECT_ROOT" => "$TRASH_DIRECTORY",
			"GIT_HTTP_EXPORT_ALL" => "1",
			"GIT_CONFIG_NOSYSTEM" => "1",
			"HOME" => "$TRASH_DIRECTORY",
			"LC_ALL" => "C",
			"PATH" => "$PATH"
		)
	}
	EOF
	sed "s/@PORT@/8080/" "$H/lighttpd.conf.in" >"$H/lighttpd.conf" &&
	"$LIGHTTPD" -tt -f "$H/lighttpd.conf" &&
	port=$((20000 + ($$ + 5003) % 20000)) &&
	tries=0 &&
	until start_httpd $port; do
		tries=$((tries + 1)) &&
		test $tries -lt 20 || exit 1
		port=$((20000 + (port + 997) % 40000))
	done &&
	echo $port >"$H/port" &&
	git ls-remote "$(url)" >refs &&
	grep "refs/heads/main" refs
'

test_expect_success 'bus-init -a makes a station cloned over http' '
	bus-init -a a "$(url)" st-a >/dev/null &&
	bus-init -a b "$(url)" st-b >/dev/null &&
	test "$(git -C st-a config remote.origin.url)" = "$(url)" &&
	test "$(git -C st-a config bus.agent)" = a &&
	hub_files >files &&
	grep "^inbox-a/" files && grep "^inbox-b/" files
'

test_expect_success 'running bus-init -a again is harmless' '
	bus-init -a a "$(url)" st-a >/dev/null &&
	test "$(hub_tip)" = "$(git -C st-a rev-parse main)"
'

test_expect_success 'bus-send, bus-recv, bus-ack --reply over http' '
	(cd st-a && bus-send b "over http") >id &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id).json" &&
	(cd st-b && bus-recv) >got &&
	git -C hub.git show "main:inbox-b/$(cat id).json" >expect &&
	test_cmp expect got &&
	(cd st-b && bus-recv -f id | bus-ack --reply -) &&
	hub_files archive-b | grep -F "/$(cat id).json" &&
	(cd st-a && bus-recv --type ack) >acks &&
	grep "\"re\":\"$(cat id)\"" acks
'

test_expect_success 'bus-status over http: acked, delivered, unread counts' '
	id=$(cat id) &&
	(cd st-a && bus-status "$id") >status &&
	grep "\"state\":\"acked\"" status &&
	(cd st-a && bus-send b "unread") >id2 &&
	id=$(cat id2) &&
	(cd st-a && bus-status "$id") >status &&
	grep "\"state\":\"delivered\"" status &&
	(cd st-a && bus-status) >status &&
	grep "^{\"agent\":\"b\",\"unread\":1" status
'

test_expect_success 'bus-sync over http: fetches, pushes what is queued' '
	(cd st-b && bus-send --no-push a "queued in b") >id3 &&
	test "$(queued st-b)" = 1 &&
	(cd st-b && bus-sync) >out &&
	grep "^fetched [0-9]* commits*, pushed 1," out &&
	test "$(queued st-b)" = 0 &&
	git -C hub.git cat-file -e "main:inbox-a/$(cat id3).json"
'

test_expect_success 'an unknown agent over http: 67, nothing written' '
	hub=$(hub_tip) &&
	(cd st-a && test_expect_code 67 bus-send nobody "hi") >out 2>err &&
	test_must_be_empty out &&
	grep "nobody" err &&
	test "$(hub_tip)" = "$hub" &&
	test "$(git -C st-a rev-parse main)" = "$hub"
'

test_expect_success 'the hub hook runs under http-backend: 65, the commit set aside' '
	(cd st-a && bus-recv -q -f id >/dev/null) &&
	git -C hub.git config bus.maxSize 400 &&
	hub=$(hub_tip) &&
	(cd st-a && test_expect_code 65 bus-send b "$BIG") >big 2>err &&
	grep "the hub refused the push" err &&
	grep "larger than 400 bytes" err &&
	test "$(hub_tip)" = "$hub" &&
	git -C st-a for-each-ref --format="%(objectname)" refs/bus/refused/ >refs &&
	test $(wc -l <refs) -eq 1 &&
	git -C st-a cat-file -e "$(cat refs):inbox-b/$(cat big).json" &&
	! git -C st-a cat-file -e "main:inbox-b/$(cat big).json" &&
	test "$(queued st-a)" = 0 &&
	git -C hub.git config --unset bus.maxSize
'

test_expect_success 'a plain push that breaks the rules is refused over http' '
	git clone -q "$(url)" raw &&
	echo "not a message" >raw/inbox-b/junk.json &&
	git -C raw add inbox-b/junk.json &&
	git -C raw commit -q --no-verify -m junk &&
	refused "inbox-b/junk.json"
'

test_expect_success 'server stopped: send 75, the work committed in the station' '
	(cd st-a && bus-recv -f id >/dev/null) &&
	hub=$(hub_tip) &&
	stop_httpd &&
	(cd st-a && test_expect_code 75 bus-send b "while away") >id5 2>err &&
	grep "the work is committed here and the next command that syncs pushes it" err &&
	grep -i "connect" err &&
	git -C st-a cat-file -e "main:inbox-b/$(cat id5).json" &&
	test "$(queued st-a)" = 1 &&
	test "$(hub_tip)" = "$hub"
'

test_expect_success 'server stopped: recv, status and sync answer from the station, 75' '
	(cd st-a && test_expect_code 75 bus-recv -f id) >out 2>err &&
	grep "going on from the station" err &&
	id=$(cat id5) &&
	(cd st-a && test_expect_code 75 bus-status "$id") >out 2>err &&
	grep "\"state\":\"queued\"" out &&
	(cd st-a && test_expect_code 75 bus-sync) >out 2>err
'

test_expect_success 'server back: the next command delivers what was queued' '
	start_httpd "$(cat "$H/port")" &&
	(cd st-a && bus-recv -f id) >out &&
	test "$(queued st-a)" = 0 &&
	git -C hub.git cat-file -e "main:inbox-b/$(cat id5).json" &&
	(cd st-b && bus-recv -f id) >got &&
	grep -x "$(cat id5)" got
'

test_expect_success 'stop lighttpd' '
	stop_httpd
'

test_done
