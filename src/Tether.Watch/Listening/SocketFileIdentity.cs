namespace Tether.Watch;

/// <summary>The device and inode of the socket file a listener created: how it tells its file from one that replaced it.</summary>
internal readonly record struct SocketFileIdentity(ulong Device, ulong Inode);
