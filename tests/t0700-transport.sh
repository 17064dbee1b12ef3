#!/bin/sh
test_description='installed git bus-* commands, and a hub reached over ssh'
. "$BUS_SRC_DIR/tests/test-lib.sh"

test_expect_success 'make install puts git-bus-* links beside the tools' '
	${MAKE:-make} -s -C "$BUS_BUILD_DIR" install DESTDIR="$TRASH_DIRECTORY/inst" \
		prefix=/usr >install.log 2>&1 &&
	for t in ack check init recv send sync; do
		test -x inst/usr/bin/bus-$t &&
		test "$(readlink inst/usr/bin/git-bus-$t)" = bus-$t || exit 1
	done &&
	test -f inst/usr/share/man/man1/bus-send.1 &&
	test -f inst/usr/lib/systemd/user/bus-sync.timer &&
	test -f inst/usr/lib/systemd/user/bus-sync.service &&
	test "$(readlink inst/usr/share/bash-completion/completions/bus-send)" = git-bus.bash &&
	bash -n inst/usr/share/bash-completion/completions/git-bus.bash &&
	test -f inst/usr/share/man/man7/bus.7
'

test_expect_success 'make install puts skills-sync, its units and completion in place' '
	test -x inst/usr/bin/skills-sync &&
	test "$(readlink inst/usr/bin/git-skills-sync)" = skills-sync &&
	test -f inst/usr/share/man/man1/skills-sync.1 &&
	test -f inst/usr/lib/systemd/user/skills-sync.service &&
	test -f inst/usr/lib/systemd/user/skills-sync.timer &&
	test "$(readlink inst/usr/share/bash-completion/completions/skills-sync)" = git-bus.bash &&
	bash -c ". inst/usr/share/bash-completion/completions/git-bus.bash &&
		COMP_WORDS=(skills-sync --p); COMP_CWORD=1; _bus_complete;
		echo \"\${COMPREPLY[*]}\"" >out &&
	grep -x -- --pull out &&
	PATH="$TRASH_DIRECTORY/inst/usr/bin:$PATH" git skills-sync -h >out &&
	grep "^usage: skills-sync" out
'

test_expect_success 'git bus-send and friends run through git' '
	PATH="$TRASH_DIRECTORY/inst/usr/bin:$PATH" &&
	bus-init --hub hub.git &&
	bus-init -a a hub.git st-a >/dev/null &&
	bus-init -a b hub.git st-b >/dev/null &&
	(cd st-a && git bus-send b "through git") >id &&
	(cd st-b && git bus-recv -f id) >got &&
	test_cmp id got &&
	(cd st-b && git bus-recv -f id | git bus-ack -) &&
	git bus-check -h >/dev/null
'

test_expect_success 'bash completion offers agents, options and unread ids' '
	cd st-a &&
	bash -c ". \"$BUS_SRC_DIR/contrib/completion/git-bus.bash\" &&
		COMP_WORDS=(bus-send \"\"); COMP_CWORD=1; _bus_complete;
		echo \"\${COMPREPLY[*]}\"" >out &&
	grep -w b out &&
	bash -c ". \"$BUS_SRC_DIR/contrib/completion/git-bus.bash\" &&
		COMP_WORDS=(bus-recv --ty); COMP_CWORD=1; _bus_complete;
		echo \"\${COMPREPLY[*]}\"" >out &&
	grep -x -- --type out
'

# A stand-in for ssh: run the remote command here, as sshd would.
cat >fakessh <<'EOS'
#!/bin/sh
for last; do :; done
exec sh -c "$last"
EOS
chmod +x fakessh

test_expect_success 'a hub over ssh works like a local one' '
	GIT_SSH_COMMAND="$TRASH_DIRECTORY/fakessh" &&
	export GIT_SSH_COMMAND &&
	bus-init -a c "ssh://hubhost$TRASH_DIRECTORY/hub.git" st-c >/dev/null &&
	git -C st-c config remote.origin.url >url &&
	grep "^ssh://hubhost" url &&
	(cd st-c && bus-send a "over ssh") >id &&
	(cd st-a && bus-recv -f id) >got &&
	test_cmp id got &&
	(cd st-a && bus-recv -f id | bus-ack --reply -) >/dev/null &&
	(cd st-c && bus-recv --type ack -f id) >acks &&
	test $(wc -l <acks) -eq 1
'

test_expect_success 'an ssh hub that cannot be reached: 75, work kept' '
	GIT_SSH_COMMAND="false" &&
	export GIT_SSH_COMMAND &&
	(cd st-c && test_expect_code 75 bus-send a "offline") >id 2>err &&
	git -C st-c cat-file -e "main:inbox-a/$(cat id).json"
'

test_expect_success 'a hub path that is not there: 75 from a station, 69 from bus-init' '
	git clone -q --bare hub.git moved.git &&
	bus-init -a m moved.git st-m >/dev/null &&
	mv moved.git moved.away &&
	(cd st-m && test_expect_code 75 bus-recv) 2>err &&
	grep "cannot fetch from origin" err &&
	mv moved.away moved.git &&
	test_expect_code 69 bus-init -a n "$TRASH_DIRECTORY/nowhere.git" st-n 2>err &&
	grep "cannot clone .*nowhere.git: .*does not exist" err &&
	! test -e st-n
'

test_done
