#pragma warning disable CA1032, CA1064, CA1050, RCS1194 // stand-ins with the exact names other test frameworks use

// Stand-ins for the assertion exceptions of test frameworks this project does not reference, with their exact full
// names: the cassette runner recognises a failed assertion by type name, so these prove the recognition for each.
namespace NUnit.Framework
{
    public sealed class AssertionException(string message) : Exception(message);
}

namespace Microsoft.VisualStudio.TestTools.UnitTesting
{
    public class UnitTestAssertException(string message) : Exception(message);

    public sealed class AssertFailedException(string message) : UnitTestAssertException(message);
}

namespace Shouldly
{
    public sealed class ShouldAssertException(string message) : Exception(message);
}
