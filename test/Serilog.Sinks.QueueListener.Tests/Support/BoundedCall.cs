namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Runs a call that may hang (a dispose, a blocked producer) on a background thread of its own and waits for it at
/// most a bound, so that the test fails instead of hanging. A call still running after the bound is left behind:
/// its thread is a background one, and not one of the pool's, which the remaining tests need.
/// </summary>
static class BoundedCall
{
    /// <summary>How the call ended: whether it returned within the bound.</summary>
    public record Outcome(bool Completed);

    /// <summary>
    /// Run <paramref name="action"/> and wait for it at most <paramref name="bound"/>. A call that throws fails the
    /// test: every call made through here is one the README promises never throws (disposal, a stop, an emit), so a
    /// throw is never an outcome to assert on.
    /// </summary>
    public static Outcome Run(Action action, TimeSpan bound)
    {
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                thrown = ex;
            }
        })
        {
            IsBackground = true,
            Name = "Bounded call",
        };
        thread.Start();

        // Join is a full fence: a completed thread's write of thrown is seen here.
        var completed = thread.Join(bound);
        if (completed && thrown is not null) Assert.Fail($"the call threw, which it must never do: {thrown}");
        return new Outcome(completed);
    }

    /// <summary>As <see cref="Run"/>, for an asynchronous call: the bound covers both the call, which may block
    /// before it returns its task, and the task.</summary>
    public static Outcome Run(Func<ValueTask> action, TimeSpan bound) =>
        Run(() => action().AsTask().GetAwaiter().GetResult(), bound);
}
