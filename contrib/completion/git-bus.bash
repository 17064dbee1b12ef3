# bash completion for the git-bus tools: options, message types, agents,
# message ids; for "bus-send ..." and for "git bus-send ...".
#
# make install puts this file where bash-completion looks for it, under
# the name of each tool and of each git-<tool>: bash-completion loads it
# by the name of the command, and git's own completion loads
# "git-bus-send" for "git bus-send" and then calls _git_bus_send.
# Agents and ids come from the station the command line names (-C dir),
# else $BUS_DIR, else the current directory.

# The well-known message types of bus(7).
__bus_types="note ack heartbeat state skills profile bounce"

# The station's directory: the last -C before the word being completed
# (git's own -C in "git -C dir bus-send" counts too), else $BUS_DIR.
__bus_dir()
{
	local i dir=${BUS_DIR:-.}

	for ((i = 1; i < ${#__bus_words[@]} - 1; i++)); do
		[[ ${__bus_words[i]} == -C ]] && dir=${__bus_words[i+1]}
	done
	printf '%s\n' "${dir/#\~/$HOME}"
}

# The agents of the station: the inbox-* directories of the bus branch,
# read from the station's own branch (no fetch).
__bus_agents()
{
	local dir branch
	dir=$(__bus_dir)
	branch=$(git -C "$dir" config bus.branch 2>/dev/null) || branch=main
	git -C "$dir" ls-tree -d --name-only "refs/heads/$branch" -- \
	    2>/dev/null | sed -n 's/^inbox-//p'
}

# The ids of this agent's unread messages, from the station as it is.
__bus_ids()
{
	bus-recv -C "$(__bus_dir)" -n -q -f id 2>/dev/null
}

# The ids this station sent lately, from its record of sends.
__bus_sent_ids()
{
	local dir
	dir=$(git -C "$(__bus_dir)" rev-parse --absolute-git-dir 2>/dev/null) &&
	tail -n 100 "$dir/bus-sent" 2>/dev/null | cut -f3
}

# COMPREPLY: the words of $1 that start with $cur; with $2, for the
# part of $cur after the last $2 (the next of a list "a,b,...").
__bus_reply()
{
	local pre=

	if [[ -n ${2-} && $cur == *"$2"* ]]; then
		pre=${cur%"$2"*}$2
	fi
	COMPREPLY=($(compgen -P "$pre" -W "$1" -- "${cur#"$pre"}"))
	# git's completion runs with -o nospace: the space is ours to add
	if [[ -n ${__bus_git-} ]]; then
		COMPREPLY=("${COMPREPLY[@]/%/ }")
	fi
}

# Complete the word cur (after prev) of a command line of tool, given as
# the array __bus_words.  An empty COMPREPLY leaves it to bash's
# default: file names.
__bus_complete()
{
	local tool=$1 opts

	COMPREPLY=()
	case $tool in
	bus-ack)
		opts="-a -C -h -n -q -v -z --help --no-fetch --no-push --reply
		    --version" ;;
	bus-check)
		opts="-C -h -m -q -v -z --as --help --post-receive --pre-commit
		    --pre-receive --range --tree --version" ;;
	bus-gc)
		opts="-a -C -h -k -n -q -v --dry-run --help --keep --no-fetch
		    --version" ;;
	bus-init)
		opts="-a -h -q -v --bare --direct --full --help --hub --sign-key
		    --version" ;;
	bus-mcp)
		opts="-a -C -h --help --version" ;;
	bus-recv)
		opts="-a -C -f -h -i -n -q -v -z --archive --from --grep --help
		    --ignore-case --no-fetch --since --type --until --version
		    --wait" ;;
	bus-send)
		opts="-a -C -F -h -i -q -r -t -v --all --batch --help --no-push
		    --version" ;;
	bus-show)
		opts="-a -C -f -h -n -q -T -v -z --help --no-fetch --thread
		    --version" ;;
	bus-status)
		opts="-a -C -f -h -n -q -v -z --help --no-fetch --since --type
		    --version" ;;
	bus-sync)
		opts="-a -C -h -q -v --help --state --version" ;;
	profile-merge)
		opts="-a -C -h -n -o -q -v --driver --help --merger --no-fetch
		    --notify --sync --union --version" ;;
	skills-sync)
		opts="-a -C -f -h -q -R -v --dry-run --force --help --notify
		    --pull --version" ;;
	*)
		return ;;
	esac
	# skills-sync -f is --force, which takes no argument
	[[ $tool == skills-sync && $prev == -f ]] && prev=
	# bus-recv -i is --ignore-case, which takes no argument either
	[[ $tool == bus-recv && $prev == -i ]] && prev=
	case $prev in
	-C|-F|-m|-o|-R|-i|-k|--as|--grep|--keep|--merger|--sign-key|--since|\
	--state|--until|--wait)
		return ;;
	-f)
		if [[ $tool == bus-status ]]; then
			__bus_reply "json text"
		elif [[ $tool == bus-show ]]; then
			__bus_reply "json id text"
		else
			__bus_reply "json id path text"
		fi
		return ;;
	-a|--from)
		__bus_reply "$(__bus_agents)"
		return ;;
	-t|--type)
		__bus_reply "$__bus_types"
		return ;;
	-r)
		__bus_reply "$(__bus_ids)"
		return ;;
	esac
	case $tool,$cur in
	*,-*)		__bus_reply "$opts" ;;
	bus-send,*)	__bus_reply "$(__bus_agents)" , ;;
	bus-ack,*|bus-show,*)	__bus_reply "$(__bus_ids)" ;;
	bus-status,*)	__bus_reply "$(__bus_sent_ids)" ;;
	esac
}

# The plain names: bus-send, git-bus-send, /usr/bin/bus-send.
_bus_complete()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local tool=${COMP_WORDS[0]##*/}
	local -a __bus_words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")

	__bus_complete "${tool#git-}"
}

# "git bus-send": git's completion has set cur, prev, words and cword.
__bus_complete_git()
{
	local __bus_git=1
	local -a __bus_words=("${words[@]:0:cword+1}")

	__bus_complete "$1"
}

_git_bus_ack() { __bus_complete_git bus-ack; }
_git_bus_check() { __bus_complete_git bus-check; }
_git_bus_gc() { __bus_complete_git bus-gc; }
_git_bus_init() { __bus_complete_git bus-init; }
_git_bus_mcp() { __bus_complete_git bus-mcp; }
_git_bus_recv() { __bus_complete_git bus-recv; }
_git_bus_send() { __bus_complete_git bus-send; }
_git_bus_show() { __bus_complete_git bus-show; }
_git_bus_status() { __bus_complete_git bus-status; }
_git_bus_sync() { __bus_complete_git bus-sync; }
_git_profile_merge() { __bus_complete_git profile-merge; }
_git_skills_sync() { __bus_complete_git skills-sync; }

complete -o default -F _bus_complete bus-ack bus-check bus-gc bus-init \
	bus-mcp bus-recv bus-send bus-show bus-status bus-sync profile-merge \
	skills-sync git-bus-ack git-bus-check git-bus-gc git-bus-init \
	git-bus-mcp git-bus-recv git-bus-send git-bus-show git-bus-status \
	git-bus-sync git-profile-merge git-skills-sync
