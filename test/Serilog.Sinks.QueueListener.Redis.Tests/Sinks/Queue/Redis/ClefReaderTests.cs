using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Sinks.Queue.Redis;

public class ClefReaderTests
{
    sealed class Order
    {
        public int Id { get; set; }
        public Customer Customer { get; set; } = new();
        public Line[] Lines { get; set; } = [];
    }

    sealed class Customer
    {
        public string Name { get; set; } = "";
        public string? Email { get; set; }
    }

    sealed class Line
    {
        public string Sku { get; set; } = "";
        public decimal Quantity { get; set; }
    }

    static void AssertRoundTrips(LogEvent original)
    {
        var read = ClefRoundTrip.Of(original);

        Assert.Multiple(() =>
        {
            Assert.That(read.RenderMessage(CultureInfo.InvariantCulture),
                Is.EqualTo(original.RenderMessage(CultureInfo.InvariantCulture)));
            Assert.That(read.MessageTemplate.Text, Is.EqualTo(original.MessageTemplate.Text));
            Assert.That(read.Level, Is.EqualTo(original.Level));
            Assert.That(read.Timestamp, Is.EqualTo(original.Timestamp));
            Assert.That(ClefRoundTrip.PropertiesOf(read), Is.EqualTo(ClefRoundTrip.PropertiesOf(original)));
            Assert.That(read.TraceId, Is.EqualTo(original.TraceId));
            Assert.That(read.SpanId, Is.EqualTo(original.SpanId));
            Assert.That(read.Exception?.ToString(), Is.EqualTo(original.Exception?.ToString()));
        });
    }

    [Test]
    public void ScalarsRoundTrip()
    {
        AssertRoundTrips(Capture.One(log => log.Information(
            "{Text} {Int} {Long} {Decimal} {Double} {True} {False} {Nothing} {Big}",
            "a \"quoted\" ünïcode\nline", 42, long.MinValue, 12.345m, 0.1, true, false, null, ulong.MaxValue)));
    }

    [Test]
    public void NestedStructuresKeepTheirTypeTags()
    {
        var order = new Order
        {
            Id = 7,
            Customer = new Customer { Name = "Ada" },
            Lines = [new Line { Sku = "A-1", Quantity = 2.5m }, new Line { Sku = "B-2", Quantity = 1 }],
        };

        var original = Capture.One(log => log.Information("Placed {@Order}", order));
        var read = ClefRoundTrip.Of(original);

        AssertRoundTrips(original);
        var structure = (StructureValue)read.Properties["Order"];
        Assert.Multiple(() =>
        {
            Assert.That(structure.TypeTag, Is.EqualTo("Order"));
            Assert.That(((StructureValue)structure.Properties.Single(p => p.Name == "Customer").Value).TypeTag,
                Is.EqualTo("Customer"));
            Assert.That(structure.Properties.Single(p => p.Name == "Lines").Value, Is.TypeOf<SequenceValue>());
        });
    }

    [Test]
    public void AnonymousStructuresComeBackWithoutATypeTag()
    {
        var original = Capture.One(log => log.Warning("Saw {@Point}", new { X = 1, Y = -2.5, Label = (string?)null }));
        var read = ClefRoundTrip.Of(original);

        AssertRoundTrips(original);
        Assert.That(((StructureValue)read.Properties["Point"]).TypeTag, Is.Null);
    }

    [Test]
    public void SequencesRoundTripNestedAndEmpty()
    {
        AssertRoundTrips(Capture.One(log => log.Debug("{Numbers} {Nested} {Empty}",
            new[] { 1, 2, 3 }, new[] { new[] { "a" }, new[] { "b", "c" } }, Array.Empty<int>())));
    }

    [Test]
    public void DictionariesWhoseKeysAreNotPropertyNamesStayDictionaries()
    {
        var original = Capture.One(log => log.Information("{Map}", new Dictionary<string, int> { [""] = 1, ["two"] = 2 }));
        var read = ClefRoundTrip.Of(original);

        AssertRoundTrips(original);
        Assert.That(read.Properties["Map"], Is.TypeOf<DictionaryValue>());
    }

    [Test]
    public void DictionariesWithNameLikeKeysComeBackAsStructuresWithTheSameJson()
    {
        var original = Capture.One(log => log.Information("{Map}", new Dictionary<string, int> { ["one"] = 1, ["two"] = 2 }));
        var read = ClefRoundTrip.Of(original);

        Assert.That(ClefRoundTrip.PropertiesOf(read), Is.EqualTo(ClefRoundTrip.PropertiesOf(original)));
        Assert.That(read.Properties["Map"], Is.TypeOf<StructureValue>());
    }

    [Test]
    public void AnExceptionComesBackWithItsText()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom", new ArgumentException("inner"));
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        var original = Capture.One(log => log.Error(thrown, "Failed {Step}", "commit"));
        var read = ClefRoundTrip.Of(original);

        AssertRoundTrips(original);
        Assert.That(read.Exception!.Message, Is.EqualTo("System.InvalidOperationException: boom"));
    }

    [Test]
    public void TraceAndSpanIdsRoundTrip()
    {
        var original = new LogEvent(
            new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2)).AddTicks(4567),
            LogEventLevel.Fatal, null, new MessageTemplateParser().Parse("In a span {N}"),
            [new LogEventProperty("N", new ScalarValue(1))], ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

        AssertRoundTrips(original);
    }

    [Test]
    public void APropertyNamedWithAnAtSignRoundTrips()
    {
        var original = Capture.One(log => log.ForContext("@foo", "bar").ForContext("@@twice", 2).Information("Hello"));
        var read = ClefRoundTrip.Of(original);

        AssertRoundTrips(original);
        Assert.That(read.Properties.Keys, Is.EquivalentTo(new[] { "@foo", "@@twice" }));
    }

    [Test]
    public void FormattedTokensRenderAsBefore()
    {
        AssertRoundTrips(Capture.One(log => log.Information("Paid {Amount:0.00} at {Rate,8:P1}", 12.5m, 0.25)));
    }

    [Test]
    public void EveryLevelRoundTrips()
    {
        foreach (var level in Enum.GetValues<LogEventLevel>())
        {
            AssertRoundTrips(Capture.One(log => log.Write(level, "At {Level}", level.ToString())));
        }
    }

    [Test]
    public void ARenderedMessageWithoutATemplateReadsAsText()
    {
        var read = ClefReader.Read("""{"@t":"2024-01-02T03:04:05.678Z","@m":"Literal {braces} stay","User":"ada"}""");

        Assert.Multiple(() =>
        {
            Assert.That(read.RenderMessage(CultureInfo.InvariantCulture), Is.EqualTo("Literal {braces} stay"));
            Assert.That(read.Level, Is.EqualTo(LogEventLevel.Information));
            Assert.That(read.Properties["User"], Is.EqualTo(new ScalarValue("ada")));
        });
    }

    [Test]
    public void UnknownReifiedFieldsAndBadIdsAreIgnored()
    {
        var read = ClefReader.Read(
            """{"@t":"2024-01-02T03:04:05Z","@mt":"Hi","@i":"a1b2c3d4","@l":"Warn","@tr":"xyz","@sp":12,"@r":["x"]}""");

        Assert.Multiple(() =>
        {
            Assert.That(read.Level, Is.EqualTo(LogEventLevel.Information));
            Assert.That(read.Properties, Is.Empty);
            Assert.That(read.TraceId, Is.Null);
            Assert.That(read.SpanId, Is.Null);
        });
    }

    [Test]
    public void NumbersReadAsLongDecimalOrDouble()
    {
        var read = ClefReader.Read("""{"@t":"2024-01-02T03:04:05Z","@mt":"","A":5,"B":18446744073709551615,"C":0.125,"D":1e300}""");

        Assert.Multiple(() =>
        {
            Assert.That(((ScalarValue)read.Properties["A"]).Value, Is.EqualTo(5L));
            Assert.That(((ScalarValue)read.Properties["B"]).Value, Is.EqualTo(18446744073709551615m));
            Assert.That(((ScalarValue)read.Properties["C"]).Value, Is.EqualTo(0.125m));
            Assert.That(((ScalarValue)read.Properties["D"]).Value, Is.EqualTo(1e300));
        });
    }

    [Test]
    public void ABatchReadsBackInOrderSkippingBlankLinesAndCarriageReturns()
    {
        var events = Enumerable.Range(0, 5).Select(i => Capture.One(log => log.Information("Event {I}", i))).ToList();
        Assert.That(ClefRoundTrip.Of(events).Select(e => e.Properties["I"].ToString()),
            Is.EqualTo(new[] { "0", "1", "2", "3", "4" }));

        var crlf = Encoding.UTF8.GetBytes("""{"@t":"2024-01-02T03:04:05Z","@mt":"a"}""" + "\r\n\r\n  \n" +
                                          """{"@t":"2024-01-02T03:04:05Z","@mt":"b"}""");
        Assert.That(ClefReader.ReadLines(crlf).Select(e => e.MessageTemplate.Text), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void ALineWithoutATimestampIsRejected()
    {
        Assert.Throws<FormatException>(() => ClefReader.Read("""{"@mt":"No time"}"""));
        Assert.Throws<FormatException>(() => ClefReader.Read("[1]"));
    }

    [Test]
    public void TheWriterEndsEveryLineWithALineFeed()
    {
        var writer = new ClefWriter();
        writer.Write(Capture.One(log => log.Information("One")));
        writer.Write(Capture.One(log => log.Information("Two")));

        Assert.That(writer.Count, Is.EqualTo(2));
        var text = ClefRoundTrip.Utf8(writer.TakePayload());
        Assert.Multiple(() =>
        {
            Assert.That(text.Split('\n'), Has.Length.EqualTo(3));
            Assert.That(text, Does.EndWith("}\n").And.Not.Contain("\r"));
            Assert.That(writer.Count, Is.Zero);
        });
    }
}
