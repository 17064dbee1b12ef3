# bash completion for the git-bus tools: options, agents, message ids.
# make install puts it where bash-completion looks for it; the agents
# and ids come from the station of the current directory.

# The agents of the station: its inbox-* directories.
_bus_agents()
{
	git ls-tree -d --name-only HEAD 2>/dev/null | sed -n 's/^inbox-//p'
}

# The ids of this agent's unread messages, from the station as it is.
_bus_ids()
{
	bus-recv -n -q -f id 2>/dev/null
}

# The ids this station sent lately, from its record of sends.
_bus_sent_ids()
{
	local dir
	dir=$(git rev-parse --git-dir 2>/dev/null) &&
	tail -n 100 "$dir/bus-sent" 2>/dev/null | cut -f3
}

_bus_complete()
{
	local cur prev words opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case ${COMP_WORDS[0]} in
	bus-ack)
		opts="-a -C -h -n -q -v -z --no-push --reply" ;;
	bus-check)
		opts="-C -h -m -q -v -z --range --tree --pre-commit --pre-receive" ;;
	bus-init)
		opts="-a -h -q -v --bare --hub --sign-key" ;;
	bus-recv)
		opts="-a -C -f -h -n -q -v -z --from --type --wait" ;;
	bus-send)
		opts="-a -C -h -i -q -r -t -v --all --batch --no-push" ;;
	bus-status)
		opts="-a -C -f -h -n -q -v -z --no-fetch --since --type" ;;
	bus-sync)
		opts="-a -C -h -q -v" ;;
	profile-merge)
		opts="-a -C -h -n -o -q -v --driver --merger --notify --sync --union" ;;
	skills-sync)
		opts="-a -C -f -h -q -R -v --dry-run --force --notify --pull" ;;
	esac
	# skills-sync -f is --force, which takes no argument
	[[ ${COMP_WORDS[0]} == skills-sync && $prev == -f ]] && prev=
	case $prev in
	-C|-o|-R|--sign-key|-m)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-f)
		if [[ ${COMP_WORDS[0]} == bus-status ]]; then
			COMPREPLY=($(compgen -W "json text" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "json id path text" -- "$cur"))
		fi
		return ;;
	-a|--from)
		COMPREPLY=($(compgen -W "$(_bus_agents)" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [[ ${COMP_WORDS[0]} == bus-send ]]; then
		COMPREPLY=($(compgen -W "$(_bus_agents)" -- "$cur"))
	elif [[ ${COMP_WORDS[0]} == bus-ack ]]; then
		COMPREPLY=($(compgen -W "$(_bus_ids)" -- "$cur"))
	elif [[ ${COMP_WORDS[0]} == bus-status ]]; then
		COMPREPLY=($(compgen -W "$(_bus_sent_ids)" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

complete -F _bus_complete bus-ack bus-check bus-init bus-recv bus-send \
	bus-status bus-sync profile-merge skills-sync
