namespace Tether.Cli.Commands;

/// <summary>The notes of <c>tether run --help</c>: what the options cannot say one at a time.</summary>
internal sealed partial class RunVerb
{
    private const string Notes = """
        Exit codes:
          N        the program's own exit code
          124      --timeout or --idle-timeout ran out and the tree was stopped
          126      the program exists but could not be started (not executable, a directory)
          127      the program was not found
          128+N    the program was killed by signal N (137 = SIGKILL, 143 = SIGTERM, 141 = SIGPIPE)
          130      tether was interrupted (Ctrl+C, SIGTERM or SIGHUP) and stopped the tree
          1        tether could not do the job, such as a --cwd that does not exist, a cassette that is
                   not valid or does not hold the run, a recording that could not be saved, a limit or
                   user the host refuses, or a --wait-* that was not met
          2        the command line is wrong: unknown option, bad value, no program

        Output and input:
          The program's stdout and stderr reach tether's own, byte for byte, as they are written. When
          tether's stdout is a file or a pipe and nothing needs to see it (no --json, --idle-timeout,
          --cassette or --tty), the program writes to it directly, at full speed.
          When tether's stdin is a pipe or a file the program reads it itself, as it would without tether,
          and what it leaves unread is left for whoever reads next (not under --cassette; under --tty it is
          copied into the terminal); when it is a terminal the program reads end-of-file at once. The program runs in its own process
          group (that is how tether contains its tree), so it cannot own the terminal: editors and password
          prompts will not work.
          When nobody reads tether's stdout any more, the tree gets SIGPIPE, as it would without tether.

        Stopping:
          On Ctrl+C, SIGTERM or SIGHUP tether sends the stop signal (--signal) to every process of the
          tree, waits up to the grace period (--grace), SIGKILLs whatever is left and exits 130.
          Interrupt it a second time to SIGKILL the tree at once. Nothing survives tether, not even
          when tether itself is killed.

        Journal:
          With --journal DIR the run is recorded under one job id (--job, or run-<UTC time>-<pid>):
          job.submitted and job.started before the spawn, then job.command (program, arguments, exit code,
          duration; never output or environment) and job.completed, job.failed, job.timed_out or
          job.cancelled. If the journal cannot be opened, tether exits 1 and runs nothing; a journal failure
          later prints one line and never changes the exit code. Read it with 'tether journal show DIR'.

        Cassettes:
          With --cassette FILE the run is recorded to FILE, or replayed from it without running anything:
            once          (the default) record when FILE does not exist, replay when it does
            replay        only replay, for CI; a run FILE does not hold fails with exit 1
            record        always run for real and replace FILE (only a valid cassette is replaced)
            new-episodes  replay the runs FILE holds, run and add the ones it lacks
          A run is matched on the program, its arguments and --cwd; not on the environment or the other
          options. A replay writes the recorded stdout and stderr and exits with the recorded code (124 for
          a recorded timeout, 128+N for a signal); --json says mechanism "none" and pid null; --journal
          records it as any run. A run that completes, whatever its exit code, signal or timeout, is saved
          to FILE; one that could not start or was interrupted is not. Output is stored as UTF-8 text, at
          most 16 MiB per stream; values that look like secrets (--password, --token, Authorization
          headers, URL passwords, API_KEY=...) are stored as ***, and environment values never.
          Under --cassette the program's stdin is always empty (a stream could not be matched on replay):
          tether's own stdin is never read, so piped input does not reach the program.
          A FILE that is not a valid cassette exits 1 with one line and is never written over.
          'tether cassette show FILE' lists what a cassette holds.

        Terminal, user and priorities:
          --tty runs the program in a pseudo-terminal, as if typed at one: isatty is true, colours and
          progress bars appear, and its stderr arrives merged into stdout. Its size follows tether's own
          terminal (resized with it), or is 80x24 when tether's stdout is not a terminal; --tty=120x40
          sets it. --user, a --nice below tether's own and --ionice rt:N need root; when the kernel
          refuses one, tether prints its reason and exits 1 without running anything.

        Limits:
          --memory, --cpus and --pids hold for the whole tree, every descendant included, through its
          cgroup. A host that cannot enforce one refuses the run: one line saying why, exit 1. A tree
          that reaches --memory has a process killed by the kernel (exit 137 when it is the program),
          and tether says so on stderr. --ulimit sets the program's own limits (soft and hard), which
          its children inherit.

        Retries:
          --retry N runs the program up to N times in all: again after a timeout, and with
          --retry-on-exit also after a non-zero exit. Between runs tether prints one line and pauses
          (--retry-backoff, doubling each time, at most 30s). Every run's output is streamed; tether
          exits as the last run did. Tether's stdin reaches the first run only; later runs read
          end-of-file.

        Readiness:
          --wait-port, --wait-socket, --wait-http and --wait-file are checked after the start, each in
          turn, within --wait-timeout in all. When they are met tether prints 'tether: ready (...)' on
          stderr and goes on following the run, which ends and exits as usual. When they are not met in
          time tether stops the tree (stop signal, then SIGKILL after the grace) and exits 1; when the
          program ends first, tether says how it ended and exits 1. Either way --json says outcome
          "failed". Under --retry each run is waited for. They do not go with
          --cassette, which may replay a run without running anything.

        Sizes are written 512M, 1G, 1.5G or as a number of bytes (K, M, G and T are multiples of 1024).
        Durations are written 500ms, 2s, 1.5s, 5m, 1h or 1h30m.

        Examples:
          tether run -- make test
          tether run --timeout 10m --grace 30s -- ./long-job.sh --verbose
          tether run --idle-timeout 2m --cwd /srv/app --env RUST_LOG=debug -- cargo run
          generate-input | tether run --json -- ./process-input
          tether run --journal ./journal --job nightly -- ./backup.sh
          tether run --cassette tests/cassettes/status.json -- git status --short
          tether run --cassette tests/cassettes/status.json --mode replay -- git status --short
          tether run --tty -- ls --color=auto
          tether run --memory 512M --cpus 1.5 --pids 200 --ulimit nofile=4096,core=0 -- make -j4
          tether run --retry 3 --retry-on-exit --retry-backoff 2s -- ./flaky-test.sh
          tether run --wait-port 8080 --wait-timeout 1m -- ./server --port 8080

        """;
}
