global using Tether.Tests.Infrastructure;
global using Tether.Journaling.Tests.Infrastructure;
global using Xunit;
