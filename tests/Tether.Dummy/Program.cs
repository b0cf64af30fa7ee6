using DummyProgram;

// The program the specs drive instead of whatever tools the machine has. The first argument picks a verb;
// each verb does one small, predictable thing (see the verb classes).
if (args.Length == 0)
{
    return Usage("no verb given");
}

var rest = args[1..];
return args[0] switch
{
    "echo-args" => TextVerbs.EchoArgs(rest),
    "print-env" => TextVerbs.PrintEnv(rest),
    "print" => TextVerbs.Print(rest, toStderr: false),
    "stderr" => TextVerbs.Print(rest, toStderr: true),
    "crlf" => TextVerbs.Crlf(),
    "exit" => TextVerbs.Exit(rest),
    "cat" => StreamVerbs.Cat(),
    "count-stdin" => StreamVerbs.CountStdin(),
    "spew" => StreamVerbs.Spew(rest),
    "lines" => StreamVerbs.Lines(rest),
    "flood-stderr" => StreamVerbs.FloodStderr(rest),
    "sleep" => ProcessVerbs.Sleep(rest),
    "ignore-term" => ProcessVerbs.IgnoreTerm(rest),
    "count-signal" => ProcessVerbs.CountSignal(rest),
    "pids" => ProcessVerbs.Pids(),
    "grandchild" => ProcessVerbs.Grandchild(rest),
    "host" => await HostVerb.RunAsync(rest),
    "detach-host" => await DetachHostVerb.RunAsync(rest),
    "run-as-user" => await AttributeVerbs.RunAsUserAsync(rest),
    "try-privileged" => await AttributeVerbs.TryPrivilegedAsync(),
    _ => Usage($"unknown verb '{args[0]}'"),
};

static int Usage(string problem)
{
    Output.Stderr.WriteLine($"Tether.Dummy: {problem}. Verbs: echo-args, print-env, print, stderr, crlf, exit, cat, count-stdin, " +
        "spew, lines, flood-stderr, sleep, ignore-term, count-signal, pids, grandchild, host, detach-host, run-as-user, try-privileged.");
    return 64;
}
