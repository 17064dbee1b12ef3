#!/bin/sh
test_description='SIGKILL at any moment loses nothing and leaves nothing half done'
. "$BUS_SRC_DIR/tests/test-lib.sh"

ROUNDS=${BUS_CRASH_ROUNDS:-40}

test_expect_success 'set up a hub and two stations' '
	setup_bus a b >/dev/null
'

test_expect_success "bus-send and bus-ack killed at random, $ROUNDS rounds" '
	i=0 &&
	while [ $i -lt $ROUNDS ]; do
		kill_soon sh -c "cd st-a && exec bus-send b \"round $i\"" >>printed &&
		(cd st-b && bus-recv -f id) >ids &&
		kill_soon sh -c "cd st-b && exec bus-ack -n - <../ids" &&
		i=$((i + 1))
	done
'

test_expect_success 'the stations are consistent: fsck, status, no journal left' '
	for s in a b; do
		{ git -C st-$s fsck --no-progress 2>&1 | grep -v "^dangling" || true; } >fsck &&
		test_must_be_empty fsck || exit 1
	done
'

test_expect_success 'the lock is free: the next commands run at once' '
	git -C st-a config bus.lockTimeout 2 &&
	git -C st-b config bus.lockTimeout 2 &&
	(cd st-a && bus-recv -f id >/dev/null) &&
	(cd st-b && bus-recv -f id >/dev/null) &&
	! test -f st-a/.git/bus-checkout &&
	! test -f st-b/.git/bus-checkout &&
	for s in a b; do
		git -C st-$s status --porcelain >status &&
		test_must_be_empty status || exit 1
	done
'

test_expect_success 'every id that was printed got delivered, whole' '
	(cd st-b && bus-recv -f id | bus-ack -) &&
	hub_files >files &&
	for id in $(cat printed); do
		grep -q "/$id.json$" files || { echo "lost: $id"; exit 1; }
	done
'

test_expect_success 'no partial message anywhere: every file on the hub is valid' '
	git clone -q hub.git check &&
	(cd check && git ls-files -z -- "inbox-*" "archive-*" | bus-check -z -)
'

# slow-import: git, except that fast-import answers at once (from a
# run on a scratch ref, which makes the same commit) but moves the
# branch only a while later, as a fast-import does that outlives the
# tool that started it.
cat >slow-import <<EOS
#!/bin/sh
case " \$* " in
*" fast-import "*)
	echo \$PPID >"$TRASH_DIRECTORY/importer"
	cat >"$TRASH_DIRECTORY/import-stream"
	sed "s|^commit refs/heads/|commit refs/scratch/|" \\
		"$TRASH_DIRECTORY/import-stream" | git "\$@"
	rc=\$?
	: >"$TRASH_DIRECTORY/importing"
	sleep 2
	git "\$@" <"$TRASH_DIRECTORY/import-stream" >/dev/null
	: >"$TRASH_DIRECTORY/imported"
	exit \$rc ;;
esac
exec git "\$@"
EOS
chmod +x slow-import

# wait_for FILE: until FILE exists, for at most 20 seconds.
wait_for () {
	_n=0
	while ! test -e "$1"; do
		[ $_n -lt 200 ] || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

# The tool must be the process that $! names: "a && (exec tool) &"
# would background the whole and-list, a shell that bash does not
# replace with the tool, and kill that shell instead.
test_expect_success 'a commit that lands after its tool was killed reaches the work tree' '
	git -C st-a config bus.lockTimeout 30 || exit 1
	(BUS_GIT="$TRASH_DIRECTORY/slow-import" && export BUS_GIT &&
		cd st-a && exec bus-send b "landing late") >late &
	pid=$! &&
	wait_for importing &&
	test "$(cat importer)" = $pid &&
	kill -9 $pid &&
	{ wait $pid; test $? -eq 137; } &&
	! test -e imported &&
	(cd st-a && bus-recv -n -f id >/dev/null) &&
	wait_for imported &&
	git -C st-a log -1 --format=%s >subject &&
	echo "bus-send: 1 message from a" >expect &&
	test_cmp expect subject &&
	git -C st-a status --porcelain >status &&
	test_must_be_empty status &&
	test "$(git -C st-a rev-parse main)" = \
		"$(git -C st-a rev-parse refs/scratch/main)" &&
	id=$(git -C st-a diff-tree --no-commit-id --name-only -r HEAD) &&
	grep "landing late" "st-a/$id" &&
	test_must_be_empty late
'

test_done
