#!/bin/sh
test_description='what make install puts in place: --version, git help,
completion through git, units and cron lines that name the tools'
. "$BUS_SRC_DIR/tests/test-lib.sh"

prefix="$TRASH_DIRECTORY/prefix"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
	"$BUS_BUILD_DIR/config.h")
tools=$(for t in "$BUS_BUILD_DIR"/bin/*; do
	[ -f "$t" ] && [ -x "$t" ] && basename "$t"
done)
# as cron and a user's systemd manager run a job: not the user's PATH
job_env="env -i HOME=$HOME PATH=/usr/bin:/bin"

test_expect_success 'make install into a prefix' '
	${MAKE:-make} -s -C "$BUS_BUILD_DIR" install prefix="$prefix" \
		DESTDIR= >install.log 2>&1 &&
	test -n "$tools" &&
	for t in $tools; do
		test -x "$prefix/bin/$t" &&
		test "$(readlink "$prefix/bin/git-$t")" = "$t" || exit 1
	done
'

test_expect_success 'every installed tool and git <tool> print the version' '
	PATH="$prefix/bin:$PATH" &&
	for t in $tools; do
		echo "$t (git-bus) $version" >expect &&
		$t --version >actual &&
		test_cmp expect actual &&
		git "$t" --version >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'a git-<tool> page for each tool, sourcing its own' '
	for t in $tools; do
		echo ".so man1/$t.1" >expect &&
		test_cmp expect "$prefix/share/man/man1/git-$t.1" &&
		test -f "$prefix/share/man/man1/$t.1" || exit 1
	done
'

if command -v man >/dev/null 2>&1; then
	test_expect_success 'git help <tool> and git <tool> --help open its page' '
		PATH="$prefix/bin:$PATH" MANPATH="$prefix/share/man" &&
		PAGER=cat MANPAGER=cat MANWIDTH=80 &&
		export PATH MANPATH PAGER MANPAGER MANWIDTH &&
		man -w git-bus-send >where &&
		test -s where &&
		for t in $tools; do
			git help -m "$t" >page &&
			head -n 1 page >first &&
			grep "^$(echo "$t" | tr a-z- A-Z-)(1) " first || exit 1
		done &&
		git bus-send --help >page &&
		grep "bus-send.*send messages to other agents" page
	'
else
	test_skip 'git help <tool> and git <tool> --help open its page' \
		'man is not installed'
fi

# The installed services and cron lines name the tools by full path:
# every word that is a tool's name is $prefix/bin/<tool>.
named_by_full_path () {
	grep -v '^#' "$1" | grep -v '^ *$' | tr ' ;{}=' '\n\n\n\n\n' |
		grep -E '(^|/)(bus-[a-z]+|profile-merge|skills-sync)$' >words &&
	test -s words &&
	! grep -v "^-\{0,1\}$prefix/bin/" words
}

test_expect_success 'the installed units name the installed tools' '
	units="$prefix/lib/systemd/user" &&
	for u in bus-gc.service bus-gc.timer bus-sync.service bus-sync.timer \
	    skills-sync.service skills-sync.timer; do
		test -f "$units/$u" || exit 1
	done &&
	grep -x "ExecStart=$prefix/bin/bus-sync -q" "$units/bus-sync.service" &&
	grep -x "ExecStart=$prefix/bin/bus-gc -q --keep 90" \
		"$units/bus-gc.service" &&
	named_by_full_path "$units/bus-gc.service" &&
	named_by_full_path "$units/bus-sync.service" &&
	named_by_full_path "$units/skills-sync.service"
'

test_expect_success 'the installed cron lines name the installed tools' '
	named_by_full_path "$prefix/share/doc/git-bus/cron"
'

test_expect_success 'the agents'"'"' hooks, configurations and skill are installed' '
	agents="$prefix/share/git-bus/agents" &&
	for f in README hooks/bus-hook git-bus/SKILL.md \
	    claude-code/README claude-code/settings.json claude-code/.mcp.json \
	    codex/README codex/hooks.json codex/config.toml \
	    gemini/README gemini/settings.json \
	    opencode/README opencode/opencode.json; do
		test -f "$agents/$f" || exit 1
	done &&
	test -x "$agents/hooks/bus-hook" &&
	grep -x "bindir=.$prefix/bin." "$agents/hooks/bus-hook" &&
	! grep -r "@[a-z]*@" "$agents" &&
	for f in claude-code/settings.json codex/hooks.json \
	    gemini/settings.json; do
		grep -c "\"command\": \"'"'"'$agents/hooks/bus-hook'"'"' " \
		    "$agents/$f" >n &&
		test "$(cat n)" -eq 2 || exit 1
	done &&
	for f in claude-code/.mcp.json gemini/settings.json \
	    opencode/opencode.json codex/config.toml; do
		grep "\"$prefix/bin/bus-mcp\"" "$agents/$f" || exit 1
	done
'

test_expect_success 'the bus-sync service and cron line run without PATH' '
	bus-init --hub hub.git &&
	bus-init -a a "$TRASH_DIRECTORY/hub.git" "$HOME/bus" >/dev/null &&
	bus-init -a b "$TRASH_DIRECTORY/hub.git" st-b >/dev/null &&
	bus-send -C st-b a "for the scheduled job" >id &&
	cmd=$(sed -n "s/^ExecStart=//p" \
		"$prefix/lib/systemd/user/bus-sync.service") &&
	$job_env BUS_DIR="$HOME/bus" $cmd &&
	bus-recv -C "$HOME/bus" -n -f id >got &&
	test_cmp id got &&
	cmd=$(grep -v "^#" "$prefix/share/doc/git-bus/cron" |
		grep "/bus-sync " | cut -d " " -f 6-) &&
	$job_env sh -c "$cmd"
'

test_expect_success 'the installed hook runs the installed tools without PATH' '
	bus-send -C st-b a "for the hook" >id &&
	printf "{\"session_id\":\"i1\",\"cwd\":\"%s\",\"hook_event_name\":\"Stop\",\"stop_hook_active\":false}\n" \
	    "$HOME/bus" >stop.json &&
	$job_env "$prefix/share/git-bus/agents/hooks/bus-hook" stop \
	    <stop.json >out &&
	grep "^{\"decision\":\"block\",\"reason\":\"git-bus: 2 unread message(s) from other agents (b)" out
'

test_expect_success 'the bus-gc service and cron line run without PATH' '
	cmd=$(sed -n "s/^ExecStart=//p" \
		"$prefix/lib/systemd/user/bus-gc.service") &&
	$job_env BUS_DIR="$HOME/bus" $cmd >out &&
	test_must_be_empty out &&
	cmd=$(grep -v "^#" "$prefix/share/doc/git-bus/cron" |
		grep "/bus-gc " | cut -d " " -f 6-) &&
	test -n "$cmd" &&
	$job_env sh -c "$cmd"
'

if command -v systemd-analyze >/dev/null 2>&1; then
	test_expect_success 'systemd-analyze verify takes the installed units' '
		cd "$prefix/lib/systemd/user" &&
		systemd-analyze verify ./bus-sync.timer ./bus-sync.service \
			./skills-sync.timer ./skills-sync.service \
			./bus-gc.timer ./bus-gc.service
	'
else
	test_skip 'systemd-analyze verify takes the installed units' \
		'systemd-analyze is not installed'
fi

# Completion as bash runs it: git's own completion, and ours loaded on
# demand by the name of the command, as bash-completion does; the words
# of a command line in COMP_WORDS, the last one the word completed.
# Prints what is offered, one a line, | marking the end.
cat >complete.bash <<'EOF'
. "$GIT_COMPLETION"
_completion_loader () {
	. "$COMPLETIONS/$1"
}
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
[ "$1" = git ] || _completion_loader "$1"
func=$(complete -p "$1" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
"$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s|\n' "${COMPREPLY[@]}"
EOF

# complete_line WORD...: what bash offers for the command line WORD...
complete_line () {
	PATH="$prefix/bin:$PATH" \
	GIT_COMPLETION=/usr/share/bash-completion/completions/git \
	COMPLETIONS="$prefix/share/bash-completion/completions" \
		bash "$TRASH_DIRECTORY/complete.bash" "$@"
}

if ! command -v bash >/dev/null 2>&1; then
	test_skip 'completion' 'bash is not installed'
	test_done
fi
if ! [ -f /usr/share/bash-completion/completions/git ]; then
	test_skip 'completion through git' \
		"git's completion is not installed (the git package has it)"
	test_done
fi

test_expect_success 'completion is installed under every name bash asks' '
	for t in $tools; do
		for n in $t git-$t; do
			test "$(readlink "$prefix/share/bash-completion/completions/$n")" = \
			    git-bus.bash || exit 1
		done
	done
'

test_expect_success 'git bus-se<TAB> offers bus-send' '
	complete_line git bus-se >out &&
	grep -x "bus-send |" out
'

test_expect_success 'git bus-send --type <TAB> offers the message types' '
	printf "%s |\n" note ack heartbeat state skills profile bounce >expect &&
	complete_line git bus-send --type "" >out &&
	test_cmp expect out &&
	complete_line git bus-recv --type n >out &&
	echo "note |" >expect &&
	test_cmp expect out &&
	complete_line bus-send -t a >out &&
	echo "ack|" >expect &&
	test_cmp expect out
'

test_expect_success 'agents come from the station: git bus-send <TAB>' '
	printf "%s |\n" a b >expect &&
	(cd "$HOME/bus" && complete_line git bus-send "") >out &&
	test_cmp expect out &&
	complete_line git -C st-b bus-recv --from "" >out &&
	test_cmp expect out &&
	printf "%s|\n" a,a a,b >expect &&
	complete_line bus-send -C st-b a, >out &&
	test_cmp expect out
'

# The options of a tool's usage (-h), one a line: -nqvz is -n -q -v -z.
usage_options () {
	"$1" -h | tr ' []|' '\n\n\n\n' | grep -E '^--?[a-zA-Z]' |
	while read -r w; do
		case $w in
		--*|-?) echo "$w" ;;
		*) echo "${w#-}" | fold -w 1 | sed 's/^/-/' ;;
		esac
	done | sort -u
}

test_expect_success 'every option of a tool completes, plain and through git' '
	for t in $tools; do
		usage_options "$t" >expect &&
		complete_line "$t" - | sed "s/|$//" | sort >plain &&
		complete_line git "$t" - | sed "s/ |$//" | sort >git &&
		test_cmp plain git &&
		comm -23 expect plain >missing &&
		test_must_be_empty missing || exit 1
	done
'

test_done
