namespace Tether.Sessions;

/// <summary>
/// What the rules look up across a line, built once per check so that a line of thousands of commands stays linear:
/// each command's <see cref="CommandView"/>, the pipelines, the commands nested in each command, and the functions the
/// line defines.
/// </summary>
internal sealed class LineIndex(ShellLine line)
{
    private readonly Dictionary<SimpleCommand, CommandView> _views = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(int Pipeline, string Programs), int> _firstStages = [];
    private Dictionary<int, List<SimpleCommand>>? _pipelines;
    private Dictionary<(int Pipeline, int Stage), SimpleCommand>? _stages;
    private Dictionary<SimpleCommand, List<SimpleCommand>>? _children;
    private HashSet<string>? _functions;

    public ShellLine Line { get; } = line;

    public CommandView View(SimpleCommand command)
    {
        if (!_views.TryGetValue(command, out var view))
        {
            view = CommandView.Of(command);
            _views[command] = view;
        }

        return view;
    }

    /// <summary>The command at <paramref name="stage"/> of <paramref name="pipeline"/>, or null.</summary>
    public SimpleCommand? Stage(int pipeline, int stage)
    {
        if (_stages is null)
        {
            _stages = [];
            foreach (var command in Line.Commands)
            {
                _stages.TryAdd((command.Pipeline, command.Stage), command);
            }
        }

        return _stages.GetValueOrDefault((pipeline, stage));
    }

    /// <summary>The first stage of <paramref name="pipeline"/> whose program is one of <paramref name="programs"/>,
    /// or <see cref="int.MaxValue"/>.</summary>
    public int FirstStageOf(int pipeline, params string[] programs)
    {
        var key = (pipeline, string.Join('\0', programs));
        if (!_firstStages.TryGetValue(key, out var first))
        {
            _pipelines ??= Line.Commands.GroupBy(c => c.Pipeline).ToDictionary(g => g.Key, g => g.ToList());
            first = int.MaxValue;
            if (_pipelines.TryGetValue(pipeline, out var commands))
            {
                foreach (var command in commands)
                {
                    if (command.Stage < first && programs.Contains(View(command).Program))
                    {
                        first = command.Stage;
                    }
                }
            }

            _firstStages[key] = first;
        }

        return first;
    }

    /// <summary>The commands whose <see cref="SimpleCommand.Parent"/> is <paramref name="command"/>.</summary>
    public IReadOnlyList<SimpleCommand> Children(SimpleCommand command)
    {
        if (_children is null)
        {
            _children = new Dictionary<SimpleCommand, List<SimpleCommand>>(ReferenceEqualityComparer.Instance);
            foreach (var child in Line.Commands)
            {
                if (child.Parent is { } parent)
                {
                    if (!_children.TryGetValue(parent, out var list))
                    {
                        _children[parent] = list = [];
                    }

                    list.Add(child);
                }
            }
        }

        return _children.TryGetValue(command, out var children) ? children : [];
    }

    /// <summary>True when the line defines a function named <paramref name="name"/> (case-insensitively).</summary>
    public bool DefinesFunction(string name)
    {
        _functions ??= new HashSet<string>(Line.Functions, StringComparer.OrdinalIgnoreCase);
        return _functions.Contains(name);
    }
}
