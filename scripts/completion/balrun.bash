# bash completion for balrun (installed as
# share/bash-completion/completions/balrun).  Options come from
# `balrun --help`, so they never go stale; after -k, the ids of the tests
# the rest of the command line would collect (`balrun --list`); after
# `balrun cache`, its subcommands; after `balrun report`, its options and
# JSON files.
_balrun()
{
	local cur prev words cword split
	_init_completion -s || return

	if [[ ${words[1]} == report ]]; then
		case $prev in
		--timeline | --junit | --trace) _filedir ;;
		*) if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--timeline --junit --trace --quiet --help' -- "$cur"))
		   else
			_filedir json
		   fi ;;
		esac
		return
	fi
	if [[ ${words[1]} == cache ]]; then
		if ((cword == 2)); then
			COMPREPLY=($(compgen -W 'show merge prune export import-junit' -- "$cur"))
		else
			_filedir
		fi
		return
	fi
	case $prev in
	-k)
		local args=("${words[@]:1:cword-2}")
		COMPREPLY=($(compgen -W "$("${words[0]}" --list "${args[@]}" 2>/dev/null)" -- "$cur"))
		return ;;
	-n | --workers)
		COMPREPLY=($(compgen -W "auto 1 2 4 8" -- "$cur")); return ;;
	--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	--dist)
		COMPREPLY=($(compgen -W "case group binary" -- "$cur")); return ;;
	--share-machine)
		# its value is optional, so only --share-machine=VALUE has one
		if $split; then
			COMPREPLY=($(compgen -W "auto no 2 4 8" -- "$cur"))
			return
		fi ;;
	--ci-output)
		COMPREPLY=($(compgen -W "none github gitlab auto" -- "$cur")); return ;;
	--shard)	# K/N is the user's; ci and ci/N read the CI engine's variables
		COMPREPLY=($(compgen -W "ci ci/" -- "$cur")); return ;;
	--ctest | --meson | --automake | --cache-dir)
		_filedir -d; return ;;
	--json | --junit | --trace | --timeline | --config)
		_filedir; return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("${words[0]}" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	if ((cword == 1)); then
		COMPREPLY=($(compgen -W 'cache report' -- "$cur"))
	fi
	_filedir
}
complete -F _balrun balrun
