using System.Net;
using System.Net.Sockets;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// A loopback port that accepts connections and never answers: a Redis that hangs, or a wrong service behind the
/// port, where a client waits out its connect timeout.
/// </summary>
sealed class SilentServer : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly List<Socket> _accepted = [];
    readonly CancellationTokenSource _stop = new();

    public SilentServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                lock (_accepted) _accepted.Add(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (var socket in _accepted) socket.Dispose();
        }

        _stop.Dispose();
    }
}
