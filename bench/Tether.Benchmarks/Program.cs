using BenchmarkDotNet.Running;
using Tether.Benchmarks;
using Tether.Benchmarks.Journal;
using Tether.Benchmarks.OwnerDeath;
using Tether.Benchmarks.Watch;

// BenchmarkDotNet scenarios by default (pass --filter '*' to run them all without the interactive menu; groups are
// namespaces: --filter 'Tether.Benchmarks.Scenarios.*' for the process scenarios, '*.Journal.*' for the journal,
// 'Tether.Benchmarks.Cassettes.*' for cassette replay against a real spawn, 'Tether.Benchmarks.Watch.*' for the VLP
// frame codec and the heartbeat client), plus:
//   owner-death [--runs N] [--timeout S]   SIGKILL a host that owns a Tether tree, time until the tree is dead
//   owner-death-host MODE                  the host side of owner-death (started by it, not by hand)
//   interleaved [--rounds N] [--scenario TEXT]  the process scenarios round-robin (robust to a background load that comes and goes)
//   breakdown [--runs N]                   time and allocations of each step of one run, without a profiler
//   cgroup-cost [--rounds N]               what a child in another cgroup costs the kernel for streaming (no Tether)
//   cgroup-spawn-paths [--rounds N]        each way into a run's cgroup (created in it, gate, shim) against Process
//   smoke                                  one run of every contender and a cassette replay, to check it all works
//   journal-latency [--appends N]          p50/p90/p99 of one durable journal append vs one plain fdatasync
//   vlp-latency [--samples N]              p50/p99 of decoding (and encoding) one VLP frame, timed frame by frame
//   supervisor-logs [--mb N] [--rounds R]  MB/s of one service's output into its supervisor log file
//   supervisor-restart [--restarts N]      p50/p99 from a service's exit taken to its restarted process started
//   supervisor-idle [--services N] [--seconds S]  time to all ready, then idle CPU and RSS of the supervisor
//   telemetry-cost [--rounds N] [--block N] a spawn and a journal append with and without a telemetry listener
//   telemetry-regression [--before REV] [--after REV] [--rounds N] [--block N]
//                                          the same spawns and appends built from two revisions (default: before the
//                                          libraries' spans and metrics, and HEAD), one child each, alternating
//   supervisor-chain [--depth N] [--width N] [--step-ms N]  all ready vs the chain's own readiness (50 services)
//   supervisor-peers --tether PATH [--rounds N] [--idle S] [--only supervisord,pm2,tether]
//                                          ten services under supervisord, pm2 and `tether up`, side by side
//                                          (install the peers first: bench/Tether.Benchmarks/Supervisor/install-peers.sh)
//   cli-passthrough [--rounds N] [--tether PATH]  tether run's output passthrough against the bare pipeline
//   startup --tether PATH [--runs N]       whole-process start-up of a tether binary, hyperfine-style, interleaved
//   startup-pages --tether PATH --agent-tether PATH (--write-order FILE | --check-order FILE)
//                                          the code pages an idle watcher touches, and the methods on them (run by
//                                          eng/startup-order/regenerate.sh, which prepares the file system it needs)
//   watch-load [--agents N] [--hz N] [--seconds N] [--trace FILE]  4096 agents at 10 Hz against a real watcher
//   watch-load --compare-trace [--rounds N] [--seconds N]  two watchers under that load at once, one recording a trace
//   watch-idle --tether PATH [--seconds N] [--agents N]   CPU and RSS of a waiting 'tether watch', without and with agents
return args switch
{
    ["owner-death", .. var rest] => await OwnerDeathMeasurement.RunAsync(rest),
    ["owner-death-host", var mode] => await OwnerDeathHost.RunAsync(mode),
    ["interleaved", .. var rest] => await Interleaved.RunAsync(rest),
    ["breakdown", .. var rest] => await Breakdown.RunAsync(rest),
    ["cgroup-cost", .. var rest] => await CgroupCost.RunAsync(rest),
    ["cgroup-spawn-paths", .. var rest] => await CgroupSpawnPaths.RunAsync(rest),
    ["smoke"] => await Smoke.RunAsync(),
    ["journal-latency", .. var rest] => await JournalLatency.RunAsync(rest),
    ["vlp-latency", .. var rest] => FrameLatency.Run(rest),
    ["supervisor-logs", .. var rest] => await Tether.Benchmarks.Supervisor.SupervisorEdges.RunLogsAsync(rest),
    ["supervisor-restart", .. var rest] => await Tether.Benchmarks.Supervisor.SupervisorEdges.RunRestartAsync(rest),
    ["supervisor-idle", .. var rest] => await Tether.Benchmarks.Supervisor.SupervisorEdges.RunIdleAsync(rest),
    ["watch-load", .. var rest] => await WatchLoad.RunAsync(rest),
    ["watch-load-target", .. var rest] => await WatchLoadTraceCost.RunTargetAsync(rest),
    ["supervisor-chain", .. var rest] => await Tether.Benchmarks.Supervisor.SupervisorChain.RunAsync(rest),
    ["supervisor-peers", .. var rest] => await Tether.Benchmarks.Supervisor.SupervisorPeers.RunAsync(rest),
    ["cli-passthrough", .. var rest] => await Tether.Benchmarks.Passthrough.CliPassthrough.RunAsync(rest),
    ["trace-bench", .. var rest] => Tether.Benchmarks.Lab.TraceBench.Run(rest),
    ["rec-hook-cost", .. var rest] => await Tether.Benchmarks.Sessions.HookCost.RunAsync(rest),
    ["startup", .. var rest] => await Tether.Benchmarks.Startup.StartupCost.RunAsync(rest),
    ["startup-pages", .. var rest] => await Tether.Benchmarks.Startup.StartupPages.RunAsync(rest),
    ["watch-idle", .. var rest] => await WatchIdle.RunAsync(rest),
    ["telemetry-cost", .. var rest] => await Tether.Benchmarks.Telemetry.TelemetryCost.RunAsync(rest),
    ["telemetry-regression", .. var rest] => await Tether.Benchmarks.Telemetry.TelemetryRegression.RunAsync(rest),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(ShortRunConfig).Assembly).Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
