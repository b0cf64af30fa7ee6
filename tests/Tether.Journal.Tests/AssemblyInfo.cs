using System.Runtime.Versioning;

// The journal writes with flock and fdatasync on Linux only (for now), and so do its specs.
[assembly: SupportedOSPlatform("linux")]
