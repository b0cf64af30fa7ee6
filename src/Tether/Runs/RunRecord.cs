using System.Text.Json.Nodes;

namespace Tether;

/// <summary>
/// The body of one record about a run, ready to be appended to a journal by whoever holds one (the <c>tether</c> tool,
/// a supervisor): its type and its <c>data</c>. Built by <see cref="CommandRecord"/> with secrets already masked, so
/// the writer needs to know nothing about commands, and the core nothing about journals.
/// </summary>
/// <param name="Type">The record type, such as <c>job.command</c>.</param>
/// <param name="Data">The record's data.</param>
public sealed record RunRecord(string Type, JsonObject Data);
