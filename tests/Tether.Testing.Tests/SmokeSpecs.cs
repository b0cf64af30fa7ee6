namespace Tether.Testing.Tests;

public sealed class SmokeSpecs
{
    [Fact]
    public async Task A_scripted_reply_answers_the_string_verb()
    {
        var runner = new ScriptedRunner().On("git", Reply.Ok("main\n"));
        var result = await runner.OutputStringAsync(new Command("git").WithArguments("branch")).Soon();
        Assert.Equal("main\n", result.Stdout);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Equal(ContainmentMechanism.None, result.Mechanism);
    }
}
