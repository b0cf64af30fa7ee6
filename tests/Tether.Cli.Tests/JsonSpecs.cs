using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--json prints one result object, on one line, as the last line of stdout.</summary>
public sealed class JsonSpecs
{
    private static readonly string[] Keys =
    [
        "json_version", "program", "arg_count", "outcome", "exit_code", "signal", "signal_number", "timeout", "duration_ms",
        "cpu_ms", "peak_memory_bytes", "mechanism", "pid", "tether_exit_code", "error",
    ];

    [Fact]
    public async Task I_get_one_result_object_with_every_documented_field_after_the_output()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--json"], "print", "hello"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["hello", result.StdoutLines[^1]], result.StdoutLines);
        var json = result.Json();
        Assert.Equal(Keys, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, json.GetProperty("json_version").GetInt32());
        Assert.Equal(Dummy.Path, json.GetProperty("program").GetString());
        Assert.Equal(2, json.GetProperty("arg_count").GetInt32());
        Assert.Equal("exited", json.GetProperty("outcome").GetString());
        Assert.Equal(0, json.GetProperty("exit_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("signal").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("timeout").ValueKind);
        Assert.True(json.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.True(json.GetProperty("cpu_ms").GetInt64() >= 0);
        Assert.Contains(json.GetProperty("mechanism").GetString(), new[] { "cgroup", "process-group" });
        Assert.True(json.GetProperty("pid").GetInt32() > 0);
        Assert.Equal(0, json.GetProperty("tether_exit_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_non_zero_exit_is_reported_with_its_code()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--json"], "exit", "3"));

        var json = result.Json();
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("exited", json.GetProperty("outcome").GetString());
        Assert.Equal(3, json.GetProperty("exit_code").GetInt32());
        Assert.Equal(3, json.GetProperty("tether_exit_code").GetInt32());
    }

    [Fact]
    public async Task A_signal_is_reported_by_name_and_number()
    {
        var result = await Tool.RunAsync("run", "--json", "--", "/bin/sh", "-c", "kill -KILL $$");

        var json = result.Json();
        Assert.Equal("signalled", json.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("exit_code").ValueKind);
        Assert.Equal("SIGKILL", json.GetProperty("signal").GetString());
        Assert.Equal(9, json.GetProperty("signal_number").GetInt32());
        Assert.Equal(137, json.GetProperty("tether_exit_code").GetInt32());
    }

    [Fact]
    public async Task A_timeout_is_reported_with_its_kind()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--json", "--timeout", "1s"], "sleep", "600000"));

        var json = result.Json();
        Assert.Equal("timed_out", json.GetProperty("outcome").GetString());
        Assert.Equal("overall", json.GetProperty("timeout").GetString());
        Assert.Equal(124, json.GetProperty("tether_exit_code").GetInt32());
        Assert.True(json.GetProperty("duration_ms").GetDouble() >= 900);
    }

    [Fact]
    public async Task A_program_that_never_started_is_reported_with_the_error()
    {
        var result = await Tool.RunAsync("run", "--json", "--", "tether-spec-no-such-program");

        var json = result.Json();
        Assert.Equal(127, result.ExitCode);
        Assert.Equal("not_started", json.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("pid").ValueKind);
        Assert.Contains("was not found", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("not_found", json.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_object_gets_a_line_of_its_own_when_the_output_did_not_end_with_a_line_break()
    {
        var result = await Tool.RunAsync("run", "--json", "--", "/bin/sh", "-c", "printf no-newline");

        Assert.Equal("no-newline", result.StdoutLines[0]);
        Assert.Equal("exited", result.Json().GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_arguments_are_counted_never_printed()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--json"], "exit", "0", "hunter2-secret"));

        Assert.DoesNotContain("hunter2-secret", result.StdoutLines[^1], StringComparison.Ordinal);
        Assert.Equal(3, result.Json().GetProperty("arg_count").GetInt32());
    }
}
