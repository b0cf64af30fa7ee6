namespace Tether.Sessions.Tests;

public sealed class SessionModelSpecs
{
    [Fact]
    public void A_new_session_has_version_2_and_no_commands_until_recorded()
    {
        var session = new Session { Header = new SessionHeader { Id = "0b5e", Name = "deploy", Started = DateTimeOffset.UnixEpoch } };

        Assert.Equal(2, session.Header.Version);
        Assert.Empty(session.Commands);
        Assert.Null(session.Footer);
        Assert.Equal("deploy", session.Name);
    }
}
