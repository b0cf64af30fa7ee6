using System.Globalization;
using System.Text;

namespace Tether.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: each family once with <c># HELP</c> and <c># TYPE</c>, then
/// its samples, label values escaped as the format says. The one writer behind both of Tether's endpoints — the
/// watcher's <c>/metrics</c> and the supervisor's — linked into each project as internal source.
/// </summary>
/// <remarks>
/// Why our own writer rather than prometheus-net or OpenTelemetry's exporter: both endpoints already have their
/// numbers (counters the engines keep), so all that is needed is the text; a registry of live metric objects would
/// duplicate that state, and neither package is trimmed for the tool's native build or its footprint goals.
/// </remarks>
internal sealed class PrometheusWriter(string prefix = "")
{
    /// <summary>The <c>Content-Type</c> of the rendered text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);

    /// <summary>Starts the family <paramref name="name"/> (prefixed) of <paramref name="type"/> (<c>counter</c>, <c>gauge</c>, <c>histogram</c>).</summary>
    public PrometheusWriter Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(prefix).Append(name).Append(' ').Append(help).Append('\n');
        _text.Append("# TYPE ").Append(prefix).Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>A family with its one unlabelled sample.</summary>
    public PrometheusWriter Single(string name, string type, string help, double value) =>
        Family(name, type, help).Sample(name, value);

    /// <summary>A sample without labels.</summary>
    public PrometheusWriter Sample(string name, double value)
    {
        _text.Append(prefix).Append(name).Append(' ');
        return Value(value);
    }

    /// <summary>A sample with labels, given as name/value pairs.</summary>
    public PrometheusWriter Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(prefix).Append(name).Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }

            _text.Append(labels[i].Name).Append("=\"");
            foreach (var c in labels[i].Value)
            {
                // The format's three escapes in label values.
                _ = c switch
                {
                    '\\' => _text.Append(@"\\"),
                    '"' => _text.Append("\\\""),
                    '\n' => _text.Append(@"\n"),
                    _ => _text.Append(c),
                };
            }

            _text.Append('"');
        }

        _text.Append("} ");
        return Value(value);
    }

    /// <summary>The text written so far.</summary>
    public override string ToString() => _text.ToString();

    // Plain decimals (0.0000025 rather than 2.5E-06): both parse, this one reads; whole numbers without a point.
    private PrometheusWriter Value(double value)
    {
        var text = double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value == Math.Floor(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : ((decimal)value).ToString("0.#########", CultureInfo.InvariantCulture);
        _text.Append(text).Append('\n');
        return this;
    }
}
