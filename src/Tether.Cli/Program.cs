using Tether.Cli;

// Everything lives in TetherApp so that tests can drive the same code in-process with their own console.
using var interruption = Interruption.ListenToSignals();
return await TetherApp.InvokeAsync(args, CliConsole.System(), interruption).ConfigureAwait(false);
