global using Tether.Tests.Infrastructure;
global using Xunit;
