using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Tether.Watch.Tests;

/// <summary>
/// The Prometheus endpoint on an ephemeral loopback port: the counters of a real engine, the text format's HELP and
/// TYPE lines, the histogram's cumulative buckets, 404/405/400/431, the bearer token (required off loopback, owner-only,
/// enforced when configured) and clients that misbehave.
/// </summary>
public sealed class MetricsEndpointSpecs : IDisposable
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);
    private static readonly OriginFacts Kernel = new(Origin.KernelAttested, SenderPid: 1000, SenderUid: 0, SameNamespace: true, StartTime: 77);
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("tether-metrics-specs-");
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Bounds.Eventually };
    private readonly TickDurationHistogram _histogram = new();
    private readonly WatchEngine _engine = new(new WatchOptions { Threshold = TimeSpan.FromSeconds(5) });

    public void Dispose()
    {
        _http.Dispose();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task Get_metrics_answers_with_the_engines_counters_in_the_prometheus_text_format()
    {
        Feed(
            Beat(0, nonce: 1),
            Beat(1, nonce: 2),
            Beat(2, nonce: 2),
            new WatchInput.Datagram(At(3), new byte[31], Kernel),
            new WatchInput.Tick(At(7)));
        await using var endpoint = Start();

        using var response = await _http.GetAsync(Url(endpoint, "/metrics")).Soon();
        var body = await response.Content.ReadAsStringAsync();
        var samples = Samples(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(2, samples["tether_watch_beats_total"]);
        Assert.Equal(1, samples["tether_watch_stalls_total"]);
        Assert.Equal(1, samples["tether_watch_decode_errors_total{kind=\"length\"}"]);
        Assert.Equal(0, samples["tether_watch_decode_errors_total{kind=\"stall_on_wire\"}"]);
        Assert.Equal(1, samples["tether_watch_drops_total{reason=\"out_of_order\"}"]);
        Assert.Equal(0, samples["tether_watch_drops_total{reason=\"global_rate_limited\"}"]);
        Assert.Equal(0, samples["tether_watch_recovery_refusals_total{reason=\"cross_namespace\"}"]);
        Assert.Equal(0, samples["tether_watch_recovery_outcomes_total{outcome=\"timed_out\"}"]);
        Assert.Equal(1, samples["tether_watch_agents"]);
        Assert.Equal(0, samples["tether_watch_recoveries_in_flight"]);
        Assert.Equal(0, samples["tether_watch_authentication_failures_total"]);
    }

    [Fact]
    public async Task Every_metric_has_help_and_type_lines_and_every_enum_value_a_labelled_sample()
    {
        await using var endpoint = Start();

        var body = await _http.GetStringAsync(Url(endpoint, "/metrics")).Soon();

        var types = new Dictionary<string, string>();
        var helps = new HashSet<string>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                helps.Add(parts[2]);
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                types.Add(parts[2], parts[3]);
            }
            else
            {
                var name = parts[0].Split('{')[0];
                var family = types.ContainsKey(name) ? name : name[..name.LastIndexOf('_')];
                Assert.True(types.ContainsKey(family) && helps.Contains(family), $"'{name}' has no TYPE or HELP line before it");
                Assert.True(double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _), line);
            }
        }

        var samples = Samples(body);
        Assert.Equal(Enum.GetValues<FrameErrorKind>().Length, samples.Keys.Count(k => k.StartsWith("tether_watch_decode_errors_total{", StringComparison.Ordinal)));
        Assert.Equal(Enum.GetValues<DropReason>().Length, samples.Keys.Count(k => k.StartsWith("tether_watch_drops_total{", StringComparison.Ordinal)));
        Assert.Equal(Enum.GetValues<RecoveryRefusal>().Length, samples.Keys.Count(k => k.StartsWith("tether_watch_recovery_refusals_total{", StringComparison.Ordinal)));
        Assert.Equal("histogram", types["tether_watch_engine_tick_duration_seconds"]);
        Assert.Equal("gauge", types["tether_watch_agents"]);
        Assert.Equal("counter", types["tether_watch_beats_total"]);
    }

    [Fact]
    public async Task The_tick_duration_histogram_has_cumulative_buckets_a_count_and_a_sum()
    {
        foreach (var micros in new[] { 0.5, 3, 3, 2000, 1_000_000 })
        {
            _histogram.Observe(TimeSpan.FromMicroseconds(micros));
        }

        await using var endpoint = Start();
        var samples = Samples(await _http.GetStringAsync(Url(endpoint, "/metrics")).Soon());

        const string Bucket = "tether_watch_engine_tick_duration_seconds_bucket";
        Assert.Equal(1, samples[Bucket + "{le=\"0.000001\"}"]);
        Assert.Equal(3, samples[Bucket + "{le=\"0.000005\"}"]);
        Assert.Equal(3, samples[Bucket + "{le=\"0.001\"}"]);
        Assert.Equal(4, samples[Bucket + "{le=\"0.0025\"}"]);
        Assert.Equal(4, samples[Bucket + "{le=\"0.1\"}"]);
        Assert.Equal(5, samples[Bucket + "{le=\"+Inf\"}"]);
        Assert.Equal(5, samples["tether_watch_engine_tick_duration_seconds_count"]);
        Assert.Equal(1.0020065, samples["tether_watch_engine_tick_duration_seconds_sum"], precision: 9);
        var buckets = samples.Where(s => s.Key.StartsWith(Bucket, StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.Equal(TickDurationHistogram.UpperBounds.Count + 1, buckets.Count);
        Assert.Equal(buckets.Order(), buckets);
    }

    [Fact]
    public void A_bucket_bound_is_inclusive_and_a_negative_duration_counts_as_zero()
    {
        _histogram.Observe(TimeSpan.FromMicroseconds(1));
        _histogram.Observe(TimeSpan.FromTicks(-5));

        var (cumulative, sum) = _histogram.Snapshot();

        Assert.Equal(2, cumulative[0]);
        Assert.Equal(TimeSpan.FromMicroseconds(1), sum);
        Assert.Equal(2, _histogram.Count);
    }

    [Fact]
    public async Task Another_path_is_404_and_another_method_is_405()
    {
        await using var endpoint = Start();

        using var notFound = await _http.GetAsync(Url(endpoint, "/")).Soon();
        using var post = await _http.PostAsync(Url(endpoint, "/metrics"), new StringContent("x")).Soon();
        using var withQuery = await _http.GetAsync(Url(endpoint, "/metrics?name[]=x")).Soon();

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET"], post.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.OK, withQuery.StatusCode);
        Assert.True(notFound.Headers.ConnectionClose);
    }

    [Fact]
    public async Task A_request_that_is_not_http_is_400_and_one_with_a_huge_head_is_431()
    {
        await using var endpoint = Start();

        var garbage = await RawAsync(endpoint, "HELLO THERE\r\n\r\n");
        var huge = await RawAsync(endpoint, "GET /metrics HTTP/1.1\r\nX-Padding: " + new string('a', 9000) + "\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", garbage, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 431 ", huge, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_loopback_address_without_a_token_file_is_refused_before_anything_is_bound()
    {
        var refused = Assert.Throws<ArgumentException>(() => MetricsEndpoint.Start(new IPEndPoint(IPAddress.Any, 0), () => _engine.Counters, _histogram, bearerTokenFile: null));
        var ipv6 = Assert.Throws<ArgumentException>(() => MetricsEndpoint.Start(new IPEndPoint(IPAddress.IPv6Any, 0), () => _engine.Counters, _histogram, bearerTokenFile: null));

        Assert.Contains("non-loopback", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--metrics-token-file", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--metrics-token-file", ipv6.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_a_request_needs_the_bearer_token_even_to_learn_that_a_path_does_not_exist()
    {
        var tokenFile = TokenFile("s3cret-token\n");
        await using var endpoint = MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, tokenFile);

        using var anonymous = await _http.GetAsync(Url(endpoint, "/metrics")).Soon();
        using var wrong = await SendAsync(endpoint, "/metrics", "s3cret-tokeN");
        using var prefix = await SendAsync(endpoint, "/metrics", "s3cret");
        using var right = await SendAsync(endpoint, "/metrics", "s3cret-token");
        using var rightButNowhere = await SendAsync(endpoint, "/nowhere", "s3cret-token");
        using var anonymousNowhere = await _http.GetAsync(Url(endpoint, "/nowhere")).Soon();

        Assert.True(endpoint.RequiresToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, prefix.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("tether_watch_beats_total 0", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, rightButNowhere.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousNowhere.StatusCode);
    }

    [Fact]
    public void A_token_file_readable_by_others_or_empty_or_missing_is_refused()
    {
        var shared = TokenFile("token\n");
        File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var empty = TokenFile(" \n");
        var twoLines = TokenFile("one\ntwo\n");

        var sharedRefused = Assert.Throws<ArgumentException>(() => MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, shared));
        var emptyRefused = Assert.Throws<ArgumentException>(() => MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, empty));
        Assert.Throws<ArgumentException>(() => MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, twoLines));
        var missing = Assert.Throws<ArgumentException>(() => MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, Path.Combine(_temp.FullName, "absent")));

        Assert.Contains("chmod 600", sharedRefused.Message, StringComparison.Ordinal);
        Assert.Contains("is empty", emptyRefused.Message, StringComparison.Ordinal);
        Assert.Contains("absent", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_dropped_after_the_timeout_and_does_not_hold_up_others()
    {
        await using var endpoint = MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, null, TimeSpan.FromSeconds(1));
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(endpoint.LocalEndpoint).Soon();

        using var meanwhile = await _http.GetAsync(Url(endpoint, "/metrics")).Soon();
        var read = await silent.ReceiveAsync(new byte[16], SocketFlags.None).Soon();

        Assert.Equal(HttpStatusCode.OK, meanwhile.StatusCode);
        Assert.Equal(0, read); // closed by the server, without an answer
    }

    [Fact]
    public async Task Disposing_stops_the_listener()
    {
        var endpoint = Start();
        var address = endpoint.LocalEndpoint;

        await endpoint.DisposeAsync().AsTask().Soon();
        await endpoint.DisposeAsync();

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(address).Soon());
    }

    private MetricsEndpoint Start() => MetricsEndpoint.Start(Loopback, () => _engine.Counters, _histogram, bearerTokenFile: null);

    private static Uri Url(MetricsEndpoint endpoint, string path) => new($"http://{endpoint.LocalEndpoint}{path}");

    private Task<HttpResponseMessage> SendAsync(MetricsEndpoint endpoint, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url(endpoint, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request).Soon();
    }

    private static async Task<string> RawAsync(MetricsEndpoint endpoint, string request)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint.LocalEndpoint).Soon();
        await client.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None).Soon();
        using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().Soon();
    }

    private string TokenFile(string content)
    {
        var path = Path.Combine(_temp.FullName, "token-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Sample lines by name and labels, e.g. <c>tether_watch_drops_total{reason="out_of_order"}</c>.</summary>
    private static Dictionary<string, double> Samples(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));

    private void Feed(params WatchInput[] inputs)
    {
        var events = new List<WatchEvent>();
        foreach (var input in inputs)
        {
            _engine.Handle(input, events);
        }
    }

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    private static WatchInput Beat(double seconds, ulong nonce) =>
        new WatchInput.Datagram(At(seconds), new Frame(BeatStatus.Ok, 1000, (ulong)At(seconds).Ticks * 100, nonce, 0).ToBytes(), Kernel);
}
