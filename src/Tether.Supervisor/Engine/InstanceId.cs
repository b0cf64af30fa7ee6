namespace Tether.Supervisor;

/// <summary>One instance of a service: its name and its index among the replicas (from 0, also <c>TETHER_INSTANCE</c>).</summary>
/// <param name="Service">The service's name.</param>
/// <param name="Index">The replica's index, from 0.</param>
public readonly record struct InstanceId(string Service, int Index)
{
    /// <summary><c>NAME#INDEX</c>, e.g. <c>web#0</c>.</summary>
    public override string ToString() => Service + "#" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
