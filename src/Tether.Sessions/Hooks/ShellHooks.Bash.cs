namespace Tether.Sessions;

// The bash hooks. Design notes are on ShellHooks; the comments in the script are for whoever reads `tether rec init bash`.
public static partial class ShellHooks
{
    private const string BashScript = """
        # Tether shell recording hooks for bash 5.0 or later, printed by `tether rec init bash`.
        # Load them last in ~/.bashrc:  eval "$(tether rec init bash)"
        # While this shell records (tether rec start), every command line is appended to its spool with builtins only;
        # when it does not record, the hooks cost one stat per command line. TETHER_REC_PROMPT=0 hides the [rec] marker.
        if [[ -z ${BASH_VERSINFO-} ]] || (( BASH_VERSINFO[0] < 5 )); then
            printf 'tether rec: the recording hooks need bash 5.0 or later (this is bash %s); they were not installed.\n' "${BASH_VERSION-?}" >&2
        elif ! shopt -q promptvars; then
            printf 'tether rec: the recording hooks need "shopt -s promptvars"; they were not installed.\n' >&2
        else
        __tether_rec_dir=@TETHER_REC_DIR@
        __tether_rec_key=
        __tether_rec_marker='[rec] '
        __tether_rec_nil=()
        __tether_rec_armed=
        __tether_rec_t0=
        __tether_rec_pending=
        __tether_rec_histcmd=
        __tether_rec_lastbc=
        __tether_rec_lastline=
        __tether_rec_escaped=
        __tether_rec_h=
        # Expanded by bash once per command line it is about to run (never for an empty line): arms the DEBUG trap, notes
        # the history number and the start time (in microseconds), all as side effects of an array subscript (arithmetic)
        # of an empty array, which expands to nothing.
        __tether_rec_ps0='${__tether_rec_nil[__tether_rec_armed=1,__tether_rec_h=HISTCMD,__tether_rec_t0=10#0${EPOCHREALTIME/[.,]/}]-}'

        # Escapes a field of the spool into __tether_rec_escaped: \\ \t \n \r.
        __tether_rec_escape() {
            local s=$1 b='\'
            s=${s//"$b"/"$b$b"}
            s=${s//$'\t'/"$b"t}
            s=${s//$'\n'/"$b"n}
            s=${s//$'\r'/"$b"r}
            __tether_rec_escaped=$s
        }

        # Before a command line runs (once, from the first DEBUG trap after PS0): a B line while recording.
        __tether_rec_preexec() {
            local bc=$1 t=$__tether_rec_t0 histcmd=$__tether_rec_h lastbc=$__tether_rec_lastbc lasthist=$__tether_rec_histcmd lastline=$__tether_rec_lastline
            __tether_rec_armed= __tether_rec_t0= __tether_rec_pending= __tether_rec_lastbc=$bc __tether_rec_histcmd=$histcmd __tether_rec_lastline=
            local state=$__tether_rec_dir/$__tether_rec_key
            [[ -e $state.active ]] || return 0
            local line=
            if [[ -o history ]]; then
                # Through a scratch file (a builtin's output cannot be captured without a subshell). Written in place,
                # never truncated (on ext4 a truncate-and-rewrite is flushed at close: milliseconds), ended by a NUL.
                { HISTTIMEFORMAT= builtin history 1; printf '\0'; } 1<> "$state.line" || return 0
                { IFS= read -r -d '' line || :; } < "$state.line"
                # "  123  text", or "  123* text" for an edited entry: drop the number, its mark and a space.
                line=${line#"${line%%[![:space:]]*}"}
                line=${line#"${line%%[!0-9]*}"}
                line=${line:2}
                line=${line%$'\n'}
                # No new history entry: a repeat that ignoredups dropped (the same first command again) is recorded; a line
                # kept out of the history (ignorespace, HISTIGNORE) is not. erasedups moves a repeated entry to the end
                # instead. A line that is only a subshell shows no command of its own (the trap first fires in
                # PROMPT_COMMAND), so a repeat of one cannot be told from a hidden line: not recorded.
                if [[ $histcmd == "$lasthist" && ( $bc != "$lastbc" || $bc == __tether_rec_precmd ) ]] &&
                    ! [[ :${HISTCONTROL-}: == *:erasedups:* && $line != "$lastline" && $line == "${bc%%[[:space:]]*}"* ]]; then
                    return 0
                fi
            fi
            [[ -n $line ]] || line=$bc
            (( ${t:-0} > 0 )) || t=10#0${EPOCHREALTIME/[.,]/}
            (( t = t ))
            __tether_rec_escape "$PWD"
            local cwd=$__tether_rec_escaped
            __tether_rec_escape "$line"
            printf 'B\t%s.%s\t%s\t%s\n' "${t:0:-6}" "${t: -6}" "$cwd" "$__tether_rec_escaped" >> "$state.spool" &&
                __tether_rec_pending=1
            __tether_rec_lastline=$line
            return 0
        }

        # The DEBUG trap: runs before every simple command, so it only tests a variable until PS0 armed it.
        __tether_rec_debug() {
            local status=$?
            [[ -z $__tether_rec_armed ]] || __tether_rec_preexec "$BASH_COMMAND"
            # Alone, always 0 (under extdebug a non-zero trap would skip the command); before another trap, its $?.
            [[ -z ${1-} ]] || return "$status"
            return 0
        }

        # First in PROMPT_COMMAND: an E line for the command that just ended, the prompt marker, and $? handed on.
        __tether_rec_precmd() {
            local status=$? t=$EPOCHREALTIME
            __tether_rec_armed= __tether_rec_t0=
            if [[ -e $__tether_rec_dir/$__tether_rec_key.active ]]; then
                if [[ -n $__tether_rec_pending ]]; then
                    # $EPOCHREALTIME as bash prints it: with the locale's decimal separator, which the spool allows.
                    printf 'E\t%s\t%s\n' "$t" "$status" >> "$__tether_rec_dir/$__tether_rec_key.spool"
                fi
                if [[ ${TETHER_REC_PROMPT-} == 0 ]]; then
                    [[ ${PS1-} != "$__tether_rec_marker"* ]] || PS1=${PS1#"$__tether_rec_marker"}
                else
                    [[ ${PS1-} == "$__tether_rec_marker"* ]] || PS1=$__tether_rec_marker${PS1-}
                fi
            elif [[ ${PS1-} == "$__tether_rec_marker"* ]]; then
                PS1=${PS1#"$__tether_rec_marker"}
            fi
            __tether_rec_pending=
            [[ ${PS0-} == *"$__tether_rec_ps0"* ]] || PS0=$__tether_rec_ps0${PS0-}
            return "$status"
        }

        # Tells `tether rec …` which shell it acts on; `tether rec stop` is not part of the recording it ends.
        tether() {
            if [[ ${1-} == rec ]]; then
                if [[ ${2-} == stop && -n $__tether_rec_pending && -e $__tether_rec_dir/$__tether_rec_key.active ]]; then
                    printf 'D\n' >> "$__tether_rec_dir/$__tether_rec_key.spool"
                    __tether_rec_pending=
                fi
                TETHER_REC_SHELL_PID=$$ TETHER_REC_SHELL=bash TETHER_REC_DIR=$__tether_rec_dir command tether "$@"
            else
                command tether "$@"
            fi
        }

        __tether_rec_install() {
            local stat
            if ! { IFS= read -r stat || [[ -n $stat ]]; } < "/proc/$$/stat"; then
                printf 'tether rec: /proc/%s/stat cannot be read; the recording hooks were not installed.\n' "$$" >&2
                return 1
            fi
            # The shell's identity: its pid and its start time (field 22), so that a recycled pid is another name.
            local rest=${stat##*') '} IFS=$' \t\n'
            local -a fields=($rest)
            __tether_rec_key=$$-${fields[19]}
            local previous
            previous=$(trap -p DEBUG)
            if [[ -z $previous ]]; then
                trap '__tether_rec_debug' DEBUG
            elif [[ $previous != *__tether_rec_debug* ]]; then
                local -a words
                eval "words=($previous)"
                trap "__tether_rec_debug keep-status"$'\n'"${words[2]}" DEBUG
            fi
            if [[ ${PROMPT_COMMAND-} != *__tether_rec_precmd* ]]; then
                PROMPT_COMMAND=__tether_rec_precmd${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
            fi
            [[ ${PS0-} == *"$__tether_rec_ps0"* ]] || PS0=$__tether_rec_ps0${PS0-}
            # Tells `tether rec start`, however it is run, that this very shell (not a child that inherits it) has hooks.
            export TETHER_REC_HOOKS=$$
        }
        __tether_rec_install
        unset -f __tether_rec_install
        fi

        """;
}
