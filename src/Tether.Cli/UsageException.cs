namespace Tether.Cli;

/// <summary>
/// The command line is wrong. Thrown by a verb while it reads its options; <see cref="TetherApp"/> prints the message
/// as one line on stderr and exits with <see cref="ExitCodes.Usage"/>. The message says what was wrong and what to do.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
