namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// An entry added to the primary that fewer replicas acknowledged within <see cref="ReplicaWait.Timeout"/> than the
/// producer asks for: not counted as sent (see <see cref="ReplicaWait"/>).
/// </summary>
sealed class ReplicasMissingException : Exception
{
    public ReplicasMissingException(long acknowledged, int wanted)
        : base(string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{0} of the {1} replicas asked for acknowledged the entry within {2:0.#} s", acknowledged, wanted, ReplicaWait.Timeout.TotalSeconds))
    {
        Acknowledged = acknowledged;
        Wanted = wanted;
    }

    /// <summary>How many replicas acknowledged the entry.</summary>
    public long Acknowledged { get; }

    /// <summary>How many the producer asks for.</summary>
    public int Wanted { get; }
}
