namespace Tether.Sessions;

/// <summary>How much <see cref="DangerRules"/> calls dangerous; each preset includes the one before it.</summary>
public enum DangerPreset
{
    /// <summary>Irreversible loss of a system or its data: <c>rm -r</c> on <c>/</c>, <c>~</c> or <c>*</c>,
    /// <c>mkfs</c>, <c>dd of=/dev/sda</c>, <c>shred</c>, <c>wipefs -a</c>, partitioning, writing over a disk, a
    /// recursive <c>chmod</c>/<c>chown</c> of <c>/</c>, a fork bomb — and a line that does not parse.</summary>
    Minimal,

    /// <summary><see cref="Minimal"/>, and what loses work or takes things down: <c>rm -rf</c> of anything,
    /// <c>find -delete</c>, force pushes, <c>git reset --hard</c>, <c>git clean -f</c>, dropping databases or tables, <c>kubectl delete</c>,
    /// docker prunes and forced removals, <c>terraform destroy</c>, shutdown and reboot, stopping services,
    /// <c>kill -9 -1</c>, piping a download into a shell, <c>truncate</c>, <c>mv … /dev/null</c>.</summary>
    Moderate,

    /// <summary><see cref="Moderate"/>, and anything that deletes, escalates or changes shared state: any <c>rm</c>,
    /// any <c>sudo</c>, recursive <c>chmod</c>/<c>chown</c>, removing packages, any <c>git push</c>, removing docker
    /// containers or images, <c>kill</c>/<c>killall</c>/<c>pkill</c>, <c>crontab -r</c>, overwriting files under
    /// <c>/etc</c>, <c>/usr</c> or <c>/boot</c>.</summary>
    Strict,
}
