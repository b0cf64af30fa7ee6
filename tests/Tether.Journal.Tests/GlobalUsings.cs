global using Tether.Journaling.Tests.Infrastructure;
global using Xunit;
