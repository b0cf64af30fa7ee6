using System.Collections.Immutable;
using System.Text;
using Tether.Interop;

namespace Tether;

/// <summary>
/// Who a child runs as: its user id, primary group and supplementary groups. Switching to another user needs root;
/// see <see cref="Command.WithUser(ProcessUser)"/>.
/// </summary>
public sealed record ProcessUser
{
    /// <summary>Makes a user from ids, as given (nothing is looked up).</summary>
    /// <param name="userId">The real and effective user id.</param>
    /// <param name="groupId">The real and effective group id.</param>
    /// <param name="supplementaryGroups">The supplementary groups; none when empty (not the current ones).</param>
    public ProcessUser(int userId, int groupId, IEnumerable<int>? supplementaryGroups = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userId);
        ArgumentOutOfRangeException.ThrowIfNegative(groupId);
        var groups = supplementaryGroups?.ToImmutableArray() ?? [];
        foreach (var group in groups)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(group, nameof(supplementaryGroups));
        }

        UserId = userId;
        GroupId = groupId;
        SupplementaryGroups = groups;
    }

    /// <summary>The real and effective user id.</summary>
    public int UserId { get; }

    /// <summary>The real and effective group id.</summary>
    public int GroupId { get; }

    /// <summary>The supplementary groups (none when empty).</summary>
    public ImmutableArray<int> SupplementaryGroups { get; }

    /// <summary>
    /// Looks <paramref name="name"/> up through the system's name services: its user id, primary group, and the groups
    /// it is a member of (as a login would set them).
    /// </summary>
    /// <exception cref="ArgumentException">No user has that name.</exception>
    public static unsafe ProcessUser FromName(string name)
    {
        Command.ValidateText(name, nameof(name), "user name");
        ProcessRunner.EnsureSupportedPlatform();
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var buffer = new byte[16 * 1024];
        Libc.Passwd entry;
        Libc.Passwd* found = null;
        int rc;
        fixed (byte* n = nameBytes)
        fixed (byte* b = buffer)
        {
            rc = Libc.getpwnam_r(n, &entry, b, (nuint)buffer.Length, &found);
        }

        if (rc != 0 || found is null)
        {
            var why = rc == 0 ? "no such user" : Libc.ErrorText(rc);
            throw new ArgumentException($"The user '{name}' could not be found ({why}); give an existing user name or ids.", nameof(name));
        }

        var userId = entry.UserId;
        var groupId = entry.GroupId;
        var groups = new uint[64];
        var count = groups.Length;
        while (true)
        {
            fixed (byte* n = nameBytes)
            fixed (uint* g = groups)
            {
                if (Libc.getgrouplist(n, groupId, g, ref count) >= 0)
                {
                    break;
                }
            }

            groups = new uint[Math.Max(count, groups.Length * 2)];
            count = groups.Length;
        }

        return new ProcessUser((int)userId, (int)groupId, groups.Take(count).Select(g => (int)g));
    }

    /// <inheritdoc/>
    public bool Equals(ProcessUser? other) =>
        other is not null && UserId == other.UserId && GroupId == other.GroupId && SupplementaryGroups.SequenceEqual(other.SupplementaryGroups);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(UserId, GroupId, SupplementaryGroups.Length);

    /// <inheritdoc/>
    public override string ToString() =>
        $"uid {UserId}, gid {GroupId}" + (SupplementaryGroups.IsEmpty ? "" : $", groups {string.Join(',', SupplementaryGroups)}");
}
