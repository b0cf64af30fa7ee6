namespace Tether.Sessions;

// The fish hooks. Design notes are on ShellHooks; the comments in the script are for whoever reads `tether rec init fish`.
public static partial class ShellHooks
{
    private const string FishScript = """
        # Tether shell recording hooks for fish 3.1 or later, printed by `tether rec init fish`.
        # Load them in ~/.config/fish/config.fish:  tether rec init fish | source
        # While this shell records (tether rec start), every command line is appended to its spool; fish has no builtin
        # clock, so that runs `date` once per command. When it does not record, the hooks cost one stat per command line.
        # TETHER_REC_PROMPT=0 hides the [rec] marker.
        set -g __tether_rec_stat
        if not read -g __tether_rec_stat < /proc/$fish_pid/stat
            echo "tether rec: /proc/$fish_pid/stat cannot be read; the recording hooks were not installed." >&2
        else
            set -g __tether_rec_dir @TETHER_REC_DIR@
            # The shell's identity: its pid and its start time (field 22), so that a recycled pid is another name.
            set -g __tether_rec_key $fish_pid-(string replace -r '^.*\) ' '' -- $__tether_rec_stat | string split ' ')[20]
            set -g __tether_rec_marker '[rec] '
            set -g __tether_rec_pending
            set -g __tether_rec_t0
            # Tells `tether rec start`, however it is run, that this very shell (not a child that inherits it) has hooks.
            set -gx TETHER_REC_HOOKS $fish_pid

            # Escapes a field of the spool: \\ \t \n \r.
            function __tether_rec_escape
                string replace -a -- '\\' '\\\\' $argv[1] | string replace -a -- \t '\\t' | string replace -a -- \r '\\r' | string join -- '\\n'
            end

            # Before a command line runs: a B line while recording.
            function __tether_rec_preexec --on-event fish_preexec
                set -g __tether_rec_pending
                set -l state $__tether_rec_dir/$__tether_rec_key
                test -e $state.active; or return 0
                # fish keeps a line that starts with a space out of its history; so does the recording.
                string match -q -- ' *' $argv[1]; and return 0
                # Whole microseconds, so that start + duration (math works in doubles) prints back exactly.
                set -g __tether_rec_t0 (command date +%s.%6N)
                set -l cwd (__tether_rec_escape $PWD)
                set -l line (__tether_rec_escape $argv[1])
                printf 'B\t%s\t%s\t%s\n' $__tether_rec_t0 "$cwd" "$line" >> $state.spool
                and set -g __tether_rec_pending 1
                return 0
            end

            # After it: an E line (the end is the start plus $CMD_DURATION, in milliseconds).
            function __tether_rec_postexec --on-event fish_postexec
                set -l exit_status $status
                set -l state $__tether_rec_dir/$__tether_rec_key
                if test -n "$__tether_rec_pending"; and test -e $state.active
                    printf 'E\t%s\t%s\n' (math -s6 "$__tether_rec_t0 + $CMD_DURATION / 1000") $exit_status >> $state.spool
                end
                set -g __tether_rec_pending
            end

            # Tells `tether rec …` which shell it acts on; `tether rec stop` is not part of the recording it ends.
            function tether --wraps tether
                if test "$argv[1]" = rec
                    if test "$argv[2]" = stop; and test -n "$__tether_rec_pending"; and test -e $__tether_rec_dir/$__tether_rec_key.active
                        printf 'D\n' >> $__tether_rec_dir/$__tether_rec_key.spool
                        set -g __tether_rec_pending
                    end
                    TETHER_REC_SHELL_PID=$fish_pid TETHER_REC_SHELL=fish TETHER_REC_DIR=$__tether_rec_dir command tether $argv
                else
                    command tether $argv
                end
            end

            function __tether_rec_return
                return $argv[1]
            end

            # The prompt marker: the prompt function is wrapped, and sees the command's $status unchanged.
            if functions -q fish_prompt; and not functions -q __tether_rec_user_prompt
                functions -c fish_prompt __tether_rec_user_prompt
                function fish_prompt
                    set -l exit_status $status
                    if test "$TETHER_REC_PROMPT" != 0; and test -e $__tether_rec_dir/$__tether_rec_key.active
                        printf '%s' $__tether_rec_marker
                    end
                    __tether_rec_return $exit_status
                    __tether_rec_user_prompt
                end
            end
        end
        set -e __tether_rec_stat

        """;
}
