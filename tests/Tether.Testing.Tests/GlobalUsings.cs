global using Tether.Testing.Tests.Infrastructure;
global using Tether.Tests.Infrastructure;
global using Xunit;
