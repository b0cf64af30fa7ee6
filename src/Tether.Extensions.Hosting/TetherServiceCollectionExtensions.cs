using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tether;
using Tether.Extensions.Hosting;
using Tether.Journaling;
using Tether.Supervisor;
using Tether.Watch;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Tether in a host's services: <c>builder.Services.AddTether();</c>.</summary>
public static class TetherServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IProcessRunner"/> (the contained <see cref="ProcessRunner"/> on the host's
    /// <see cref="TimeProvider"/>, its runs logged in the <see cref="TetherLogCategories.Runs"/> category) and
    /// <see cref="TetherOptions"/> bound from the configuration section "Tether". A runner registered before this call
    /// (a <c>ScriptedRunner</c> in a test) is kept and logged instead; one registered after it replaces it.
    /// </summary>
    public static IServiceCollection AddTether(this IServiceCollection services, Action<TetherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TetherOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Called again (AddTetherSupervisor calls it too): the options above add up, the runner is wrapped only once.
        if (services.Any(d => d.ServiceType == typeof(TetherRegistered)))
        {
            return services;
        }

        services.AddSingleton<TetherRegistered>();
        options.BindConfiguration(TetherOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        var own = services.LastOrDefault(d => d.ServiceType == typeof(IProcessRunner));
        if (own is not null)
        {
            services.Remove(own);
        }

        services.AddSingleton<IProcessRunner>(provider =>
        {
            var inner = own is null
                ? new ProcessRunner(provider.GetRequiredService<TimeProvider>())
                : Resolve(provider, own);
            var settings = provider.GetRequiredService<IOptions<TetherOptions>>().Value;
            return settings.LogRuns
                ? new LoggingProcessRunner(inner, Logger(provider, TetherLogCategories.Runs), settings.ToRedactionPolicy())
                : inner;
        });
        return services;
    }

    /// <summary>
    /// Runs the services of a <c>tether.yaml</c> (or Procfile-style file read by the same loader as <c>tether up</c>)
    /// as a hosted supervisor: they start with the host and stop with it, dependents first. Also calls
    /// <see cref="AddTether"/>. A reload through <see cref="HostedSupervisor.Control"/> re-reads the file.
    /// </summary>
    public static IServiceCollection AddTetherSupervisor(this IServiceCollection services, string configurationPath, Action<IServiceProvider, SupervisorOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configurationPath);
        var path = Path.GetFullPath(configurationPath);
        return services.AddTetherSupervisor(_ => ServiceSetLoader.Load(path), () => ServiceSetLoader.Load(path), configure);
    }

    /// <summary>Runs a <see cref="ServiceSet"/> built in code as a hosted supervisor; see <see cref="AddTetherSupervisor(IServiceCollection, string, Action{IServiceProvider, SupervisorOptions}?)"/>.</summary>
    public static IServiceCollection AddTetherSupervisor(this IServiceCollection services, ServiceSet serviceSet, Action<IServiceProvider, SupervisorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceSet);
        return services.AddTetherSupervisor(_ => serviceSet, reread: null, configure);
    }

    /// <summary>
    /// Runs a heartbeat watcher as a hosted service (listening from host start to host stop). Also calls
    /// <see cref="AddTether"/>; the watcher's recoveries run through the injected <see cref="IProcessRunner"/> unless
    /// <paramref name="options"/> names a runner.
    /// </summary>
    public static IServiceCollection AddTetherWatcher(this IServiceCollection services, Func<IServiceProvider, WatcherOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddTether();
        services.TryAddSingleton(provider => new HostedWatcher(
            () =>
            {
                var chosen = options(provider);
                return chosen with
                {
                    Runner = chosen.Runner ?? provider.GetRequiredService<IProcessRunner>(),
                    TimeProvider = chosen.TimeProvider == TimeProvider.System ? provider.GetRequiredService<TimeProvider>() : chosen.TimeProvider,
                };
            },
            Logger(provider, TetherLogCategories.Watch)));
        services.AddHostedService(provider => provider.GetRequiredService<HostedWatcher>());
        return services;
    }

    /// <summary>
    /// Opens the journal in <paramref name="directory"/> when the host starts and closes it when the host stops; inject
    /// <see cref="HostedJournal"/> to append.
    /// </summary>
    public static IServiceCollection AddTetherJournal(this IServiceCollection services, string directory, Func<IServiceProvider, JournalOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new HostedJournal(
            directory,
            () => options?.Invoke(provider) ?? new JournalOptions { TimeProvider = provider.GetRequiredService<TimeProvider>() },
            Logger(provider, TetherLogCategories.Journal)));
        services.AddHostedService(provider => provider.GetRequiredService<HostedJournal>());
        return services;
    }

    private static IServiceCollection AddTetherSupervisor(this IServiceCollection services, Func<IServiceProvider, ServiceSet> read, Func<ServiceSet>? reread, Action<IServiceProvider, SupervisorOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTether();
        services.TryAddSingleton(provider => new HostedSupervisor(
            () =>
            {
                var options = new SupervisorOptions
                {
                    Services = read(provider),
                    Reread = reread,
                    Runner = provider.GetRequiredService<IProcessRunner>(),
                    TimeProvider = provider.GetRequiredService<TimeProvider>(),
                };
                configure?.Invoke(provider, options);
                return options;
            },
            Logger(provider, TetherLogCategories.Supervision),
            provider.GetRequiredService<IOptions<TetherOptions>>().Value.ToRedactionPolicy()));
        services.AddHostedService(provider => provider.GetRequiredService<HostedSupervisor>());
        return services;
    }

    /// <summary>Marks a collection <see cref="AddTether"/> has already set up.</summary>
    private sealed class TetherRegistered;

    private static IProcessRunner Resolve(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance as IProcessRunner
        ?? descriptor.ImplementationFactory?.Invoke(provider) as IProcessRunner
        ?? (IProcessRunner)ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);

    private static ILogger Logger(IServiceProvider provider, string category) =>
        provider.GetService<ILoggerFactory>()?.CreateLogger(category) ?? NullLogger.Instance;
}
