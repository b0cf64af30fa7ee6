using System.Runtime.Versioning;

// Tether runs processes on Linux only (for now), and so do its specs.
[assembly: SupportedOSPlatform("linux")]
