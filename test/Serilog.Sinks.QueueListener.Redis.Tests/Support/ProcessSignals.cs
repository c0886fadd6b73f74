using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Stops and continues a child process with <c>SIGSTOP</c> and <c>SIGCONT</c> (Linux), so that a test can hold
/// producers still while it starts another process, however slowly a loaded machine starts it.
/// </summary>
static class ProcessSignals
{
    // The numbers of Linux on x86-64 and ARM64; these tests run where redis-server does.
    const int SigStop = 19;
    const int SigCont = 18;

    public static void Stop(int processId) => Send(processId, SigStop);

    public static void Continue(int processId) => Send(processId, SigCont);

    static void Send(int processId, int signal)
    {
        if (kill(processId, signal) != 0) throw new Win32Exception(Marshal.GetLastWin32Error(), $"kill({processId}, {signal}) failed.");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
}
