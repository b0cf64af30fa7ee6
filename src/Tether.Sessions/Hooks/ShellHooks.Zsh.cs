namespace Tether.Sessions;

// The zsh hooks. Design notes are on ShellHooks; the comments in the script are for whoever reads `tether rec init zsh`.
public static partial class ShellHooks
{
    private const string ZshScript = """
        # Tether shell recording hooks for zsh, printed by `tether rec init zsh`.
        # Load them in ~/.zshrc:  eval "$(tether rec init zsh)"
        # While this shell records (tether rec start), every command line is appended to its spool with builtins only;
        # when it does not record, the hooks cost one stat per command line. TETHER_REC_PROMPT=0 hides the [rec] marker.
        typeset -g __tether_rec_stat=
        if ! zmodload zsh/datetime 2>/dev/null; then
            print -ru2 -- 'tether rec: the recording hooks need the zsh/datetime module; they were not installed.'
        elif ! { IFS= read -r __tether_rec_stat || [[ -n $__tether_rec_stat ]] } < /proc/$$/stat 2>/dev/null; then
            print -ru2 -- "tether rec: /proc/$$/stat cannot be read; the recording hooks were not installed."
        else
        typeset -g __tether_rec_dir=@TETHER_REC_DIR@
        typeset -g __tether_rec_key=
        typeset -g __tether_rec_marker='[rec] '
        typeset -g __tether_rec_pending=
        typeset -g __tether_rec_escaped=
        # The shell's identity: its pid and its start time (field 22), so that a recycled pid is another name.
        () {
            emulate -L zsh
            local -a fields
            fields=(${=${__tether_rec_stat##*\) }})
            __tether_rec_key=$$-$fields[20]
        }

        # Escapes a field of the spool into __tether_rec_escaped: \\ \t \n \r.
        __tether_rec_escape() {
            emulate -L zsh
            local s=$1 b='\'
            s=${s//$b/$b$b}
            s=${s//$'\t'/${b}t}
            s=${s//$'\n'/${b}n}
            s=${s//$'\r'/${b}r}
            __tether_rec_escaped=$s
        }

        # Before a command line runs: a B line while recording.
        __tether_rec_preexec() {
            emulate -L zsh
            __tether_rec_pending=
            local state=$__tether_rec_dir/$__tether_rec_key
            [[ -e $state.active ]] || return 0
            local line=${1:-$3}
            [[ -o hist_ignore_space && $line == ' '* ]] && return 0
            local t=$EPOCHREALTIME cwd
            __tether_rec_escape "$PWD"
            cwd=$__tether_rec_escaped
            __tether_rec_escape "$line"
            print -rn -- "B"$'\t'"$t"$'\t'"$cwd"$'\t'"$__tether_rec_escaped"$'\n' >> "$state.spool" &&
                __tether_rec_pending=1
            return 0
        }

        # Before each prompt (first of the precmd hooks): an E line for the command that just ended, the prompt marker.
        __tether_rec_precmd() {
            local exit_status=$?
            emulate -L zsh
            local t=$EPOCHREALTIME state=$__tether_rec_dir/$__tether_rec_key
            PROMPT=${PROMPT#"$__tether_rec_marker"}
            if [[ -e $state.active ]]; then
                if [[ -n $__tether_rec_pending ]]; then
                    print -rn -- "E"$'\t'"$t"$'\t'"$exit_status"$'\n' >> "$state.spool"
                fi
                [[ ${TETHER_REC_PROMPT-} == 0 ]] || PROMPT=$__tether_rec_marker$PROMPT
            fi
            __tether_rec_pending=
            return $exit_status
        }

        # Tells `tether rec …` which shell it acts on; `tether rec stop` is not part of the recording it ends.
        tether() {
            if [[ ${1-} == rec ]]; then
                if [[ ${2-} == stop && -n $__tether_rec_pending && -e $__tether_rec_dir/$__tether_rec_key.active ]]; then
                    print -rn -- "D"$'\n' >> "$__tether_rec_dir/$__tether_rec_key.spool"
                    __tether_rec_pending=
                fi
                TETHER_REC_SHELL_PID=$$ TETHER_REC_SHELL=zsh TETHER_REC_DIR=$__tether_rec_dir command tether "$@"
            else
                command tether "$@"
            fi
        }

        autoload -Uz add-zsh-hook
        add-zsh-hook preexec __tether_rec_preexec
        add-zsh-hook precmd __tether_rec_precmd
        precmd_functions=(__tether_rec_precmd ${precmd_functions:#__tether_rec_precmd})
        # Tells `tether rec start`, however it is run, that this very shell (not a child that inherits it) has hooks.
        export TETHER_REC_HOOKS=$$
        fi
        unset __tether_rec_stat

        """;
}
