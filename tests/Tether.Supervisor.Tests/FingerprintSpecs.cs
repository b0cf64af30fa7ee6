namespace Tether.Supervisor.Tests;

public sealed class FingerprintSpecs
{
    private static ServiceDefinition Web() => new()
    {
        Name = "web",
        Command = new ServiceCommand.Exec(["python3", "-m", "http.server"]),
        Environment = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" },
    };

    [Fact]
    public void Two_definitions_with_the_same_settings_have_the_same_fingerprint_whatever_the_order_of_their_environment()
    {
        var reordered = Web() with { Environment = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" } };

        Assert.Equal(Web().Fingerprint, reordered.Fingerprint);
    }

    [Fact]
    public void A_changed_argument_environment_value_or_probe_changes_the_fingerprint()
    {
        var original = Web().Fingerprint;

        Assert.NotEqual(original, (Web() with { Command = new ServiceCommand.Exec(["python3", "-m", "http.server", "8001"]) }).Fingerprint);
        Assert.NotEqual(original, (Web() with { Environment = new Dictionary<string, string> { ["A"] = "1", ["B"] = "3" } }).Fingerprint);
        Assert.NotEqual(original, (Web() with { Ready = new ProbeDefinition { Kind = ProbeKind.Tcp, Port = 8000 } }).Fingerprint);
        Assert.NotEqual(original, (Web() with { Command = new ServiceCommand.Shell("python3 -m http.server") }).Fingerprint);
    }

    [Fact]
    public void The_replica_count_is_not_part_of_the_fingerprint_because_a_reload_scales_instead_of_restarting()
    {
        Assert.Equal(Web().Fingerprint, (Web() with { Replicas = 3 }).Fingerprint);
    }
}
