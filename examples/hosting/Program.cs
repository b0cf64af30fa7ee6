using Tether;
using Tether.Extensions.Hosting;

// A web app that keeps its worker running beside it: the same supervisor as `tether up`, started and stopped with the
// host. Stopping the app (Ctrl+C, SIGTERM) stops the worker gracefully before the process exits.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddTether();
builder.Services.AddTetherSupervisor(Path.Combine(builder.Environment.ContentRootPath, "tether.yaml"));

var app = builder.Build();

// What the supervisor runs, one line per instance: "worker#0 Ready pid 1234".
app.MapGet("/services", (HostedSupervisor supervisor) =>
    string.Join('\n', supervisor.Control.Status().Instances.Select(i => $"{i.Id} {i.State} pid {i.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}")) + "\n");

// The injected runner: contained, logged in the Tether.Runs category with secrets masked.
app.MapGet("/uptime", async (IProcessRunner runner) => await runner.RunAsync(new Command("uptime")));

await app.RunAsync();
