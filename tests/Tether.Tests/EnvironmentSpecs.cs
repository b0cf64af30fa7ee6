namespace Tether.Tests;

public sealed class EnvironmentSpecs
{
    public EnvironmentSpecs()
    {
        // Variables of our own, set the way a .NET program sets them (the managed environment only). Setting them
        // again from every spec is harmless; no other spec reads them.
        Environment.SetEnvironmentVariable("TETHER_SPECS_INHERITED", "from the test host");
        Environment.SetEnvironmentVariable("TETHER_SPECS_ALLOWED", "allowed");
        Environment.SetEnvironmentVariable("TETHER_SPECS_DENIED", "denied");
    }

    [Fact]
    public async Task A_program_inherits_our_environment_by_default_including_variables_set_at_run_time()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("print-env", "PATH", "TETHER_SPECS_INHERITED"));

        Assert.Equal($"PATH={Environment.GetEnvironmentVariable("PATH")}\nTETHER_SPECS_INHERITED=from the test host\n", result.Stdout);
    }

    [Fact]
    public async Task I_can_set_a_variable_to_any_text_and_override_an_inherited_one()
    {
        // Arrange
        var command = Dummy.Command("print-env", "TETHER_SPECS_SET", "TETHER_SPECS_INHERITED")
            .WithEnvironmentVariable("TETHER_SPECS_SET", "two words = 'quoted' ünï ✓\nsecond line")
            .WithEnvironmentVariable("TETHER_SPECS_INHERITED", "overridden");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal("TETHER_SPECS_SET=two words = 'quoted' ünï ✓\nsecond line\nTETHER_SPECS_INHERITED=overridden\n", result.Stdout);
    }

    [Fact]
    public async Task I_can_remove_an_inherited_variable()
    {
        var command = Dummy.Command("print-env", "TETHER_SPECS_INHERITED", "PATH").WithoutEnvironmentVariable("TETHER_SPECS_INHERITED");

        var result = await ProcessRunner.Default.OutputStringAsync(command);

        Assert.Equal($"TETHER_SPECS_INHERITED\nPATH={Environment.GetEnvironmentVariable("PATH")}\n", result.Stdout);
    }

    [Fact]
    public async Task A_cleared_environment_holds_exactly_the_variables_I_set()
    {
        // Arrange
        var command = Dummy.Command("print-env")
            .WithClearedEnvironment()
            .WithEnvironmentVariable("DOTNET_ROOT", Dummy.DotnetRoot)
            .WithEnvironmentVariable("ONLY_ME", "here");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal($"DOTNET_ROOT={Dummy.DotnetRoot}\nONLY_ME=here\n", result.Stdout);
    }

    [Fact]
    public async Task An_allow_list_passes_only_the_named_variables_and_explicit_ones()
    {
        // Arrange
        var command = Dummy.Command("print-env")
            .WithEnvironmentAllowList("TETHER_SPECS_ALLOWED", "TETHER_SPECS_NOT_SET_ANYWHERE")
            .WithEnvironmentVariable("DOTNET_ROOT", Dummy.DotnetRoot);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal($"DOTNET_ROOT={Dummy.DotnetRoot}\nTETHER_SPECS_ALLOWED=allowed\n", result.Stdout);
    }

    [Fact]
    public void A_bad_variable_name_or_value_is_refused_when_the_command_is_built()
    {
        var command = new Command("true");

        Assert.Throws<ArgumentException>(() => command.WithEnvironmentVariable("A=B", "x"));
        Assert.Throws<ArgumentException>(() => command.WithEnvironmentVariable("", "x"));
        Assert.Throws<ArgumentException>(() => command.WithEnvironmentVariable("A", "x\0y"));
        Assert.Throws<ArgumentException>(() => command.WithoutEnvironmentVariable("A=B"));
    }

    [Fact]
    public void Variable_values_never_show_in_descriptions()
    {
        var command = new Command("true").WithEnvironmentVariable("API_TOKEN", "hunter2");

        Assert.DoesNotContain("hunter2", command.Environment.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", command.ToString(), StringComparison.Ordinal);
        Assert.Contains("API_TOKEN", command.Environment.ToString(), StringComparison.Ordinal);
    }
}
