using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tether.Extensions.Hosting;
using Tether.Testing;

namespace Tether.Extensions.Hosting.Tests;

public sealed class AddTetherSpecs
{
    [Fact]
    public async Task I_can_take_the_process_runner_by_injection_and_see_each_run_in_the_log()
    {
        // Arrange
        var logs = new FakeLogCollector();
        await using var provider = Services(logs).AddTether().BuildServiceProvider();
        var runner = provider.GetRequiredService<IProcessRunner>();

        // Act
        var result = await runner.OutputStringAsync(new Command("/bin/sh").WithArguments("-c", "echo hi; exit 3").ToPipeline());

        // Assert
        Assert.Equal(new Outcome.Exited(3), result.Outcome);
        var ended = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "RunFailed");
        Assert.Equal(TetherLogCategories.Runs, ended.Category);
        Assert.Equal(LogLevel.Warning, ended.Level);
        Assert.Equal("exited with code 3", ended.GetStructuredStateValue("Outcome"));
        Assert.StartsWith("/bin/sh -c", ended.GetStructuredStateValue("Command"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_logs_mask_secret_arguments_secret_flags_url_passwords_and_never_show_environment_values()
    {
        // Arrange
        var logs = new FakeLogCollector();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tether:SecretFlags:0"] = "--api-key" })
            .Build();
        await using var provider = Services(logs, configuration).AddTether().BuildServiceProvider();
        var runner = provider.GetRequiredService<IProcessRunner>();
        var command = new Command("/bin/sh")
            .WithArguments("-c", "exit 0", "sh", "--api-key", "key-from-config-71", "https://user:pw-in-url-72@example.test/", "--password=flag-secret-73")
            .AddSecretArgument("marked-secret-74")
            .WithEnvironmentVariable("DB_PASSWORD", "env-secret-75");

        // Act
        await runner.OutputStringAsync(command.ToPipeline());

        // Assert
        var text = string.Join('\n', logs.GetSnapshot().Select(r => r.Message + " " + string.Join(' ', r.StructuredState?.Select(kv => kv.Value) ?? [])));
        Assert.Contains("RunEnded", string.Join(' ', logs.GetSnapshot().Select(r => r.Id.Name)), StringComparison.Ordinal);
        foreach (var secret in new[] { "key-from-config-71", "pw-in-url-72", "flag-secret-73", "marked-secret-74", "env-secret-75" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Contains("***", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scripted_runner_registered_first_is_what_code_gets_injected()
    {
        // Arrange
        var logs = new FakeLogCollector();
        var scripted = new ScriptedRunner().On("git", Reply.Ok("main\n"));
        var services = Services(logs);
        services.AddSingleton<IProcessRunner>(scripted);
        await using var provider = services.AddTether().BuildServiceProvider();

        // Act
        var output = await provider.GetRequiredService<IProcessRunner>().RunAsync(new Command("git").WithArguments("branch", "--show-current"));

        // Assert
        Assert.Equal("main", output);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Name == "RunEnded" && r.GetStructuredStateValue("Command") == "git branch --show-current");
    }

    [Fact]
    public async Task Adding_tether_twice_logs_each_run_once_and_keeps_both_configurations()
    {
        // Arrange
        var logs = new FakeLogCollector();
        var services = Services(logs).AddTether(o => o.SecretFlags.Add("--first-secret"));
        await using var provider = services.AddTetherSupervisor(new Supervisor.ServiceSet(Path.GetTempPath(), []), (_, _) => { })
            .AddTether(o => o.SecretFlags.Add("--second-secret"))
            .BuildServiceProvider();
        var runner = provider.GetRequiredService<IProcessRunner>();

        // Act
        await runner.OutputStringAsync(new Command("/bin/sh").WithArguments("-c", "exit 0", "sh", "--first-secret", "one-51", "--second-secret", "two-52").ToPipeline());

        // Assert
        var ended = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "RunEnded");
        Assert.DoesNotContain("one-51", ended.GetStructuredStateValue("Command"), StringComparison.Ordinal);
        Assert.DoesNotContain("two-52", ended.GetStructuredStateValue("Command"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_one_warning_with_the_reason()
    {
        // Arrange
        var logs = new FakeLogCollector();
        await using var provider = Services(logs).AddTether().BuildServiceProvider();
        var runner = provider.GetRequiredService<IProcessRunner>();

        // Act
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => runner.OutputStringAsync(new Command("no-such-program-tether-16").ToPipeline()));

        // Assert
        var notStarted = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "RunNotStarted");
        Assert.Equal(LogLevel.Warning, notStarted.Level);
        Assert.Contains("no-such-program-tether-16", notStarted.GetStructuredStateValue("Reason"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_secret_pattern_in_the_configuration_is_one_clear_error()
    {
        // Arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tether:SecretPatterns:0"] = "(unclosed" })
            .Build();
        using var provider = Services(new FakeLogCollector(), configuration).AddTether().BuildServiceProvider();

        // Act
        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IProcessRunner>());

        // Assert
        Assert.StartsWith("Tether:SecretPatterns has an invalid regular expression '(unclosed'", error.Message, StringComparison.Ordinal);
    }

    internal static IServiceCollection Services(FakeLogCollector logs, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration ?? new ConfigurationBuilder().Build());
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        return services;
    }
}
