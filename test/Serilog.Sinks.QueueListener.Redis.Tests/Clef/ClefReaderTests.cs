using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Clef;

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
    public void UpperCaseIdsReadAsTheSameIdsAndAllZeroIdsAsAbsent()
    {
        var upper = ClefReader.Read(
            """{"@t":"2024-01-02T03:04:05Z","@mt":"Hi","@tr":"0AF7651916CD43DD8448EB211C80319C","@sp":"B7AD6B7169203331"}""");
        var zeros = ClefReader.Read(
            """{"@t":"2024-01-02T03:04:05Z","@mt":"Hi","@tr":"00000000000000000000000000000000","@sp":"0000000000000000"}""");

        Assert.Multiple(() =>
        {
            Assert.That(upper.TraceId?.ToHexString(), Is.EqualTo("0af7651916cd43dd8448eb211c80319c"));
            Assert.That(upper.SpanId?.ToHexString(), Is.EqualTo("b7ad6b7169203331"));
            Assert.That(zeros.TraceId, Is.Null);
            Assert.That(zeros.SpanId, Is.Null);
        });
    }

    [Test]
    public void ALineWithBytesThatAreNotUtf8IsReportedAndTheOthersRead()
    {
        var good = Encoding.UTF8.GetBytes("""{"@t":"2024-01-02T03:04:05Z","@mt":"Good"}""" + "\n");
        var bad = Encoding.UTF8.GetBytes("""{"@t":"2024-01-02T03:04:05Z","@mt":"Bad {N}","N":"x""").Concat(new byte[] { 0xFF, 0xFE })
            .Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray();
        var failures = new List<Exception>();

        var read = ClefReader.ReadLines(good.Concat(bad).Concat(good).ToArray(), failures.Add);

        Assert.Multiple(() =>
        {
            Assert.That(read.Select(e => e.MessageTemplate.Text), Is.EqualTo(new[] { "Good", "Good" }));
            Assert.That(failures, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void ALineNestedTwoHundredFiftySixLevelsIsReadAndADeeperOneIsReportedAndTheOthersRead()
    {
        // The event object is the first level, so a property of n nested sequences makes a line n + 1 deep.
        static byte[] Nested(int sequences) => Encoding.UTF8.GetBytes(
            """{"@t":"2024-01-02T03:04:05Z","@mt":"Deep","D":""" + new string('[', sequences) + new string(']', sequences) + "}\n");
        var good = Encoding.UTF8.GetBytes("""{"@t":"2024-01-02T03:04:05Z","@mt":"Good"}""" + "\n");
        var failures = new List<Exception>();

        var read = ClefReader.ReadLines(good.Concat(Nested(255)).Concat(Nested(256)).Concat(good).ToArray(), failures.Add);

        Assert.Multiple(() =>
        {
            Assert.That(read.Select(e => e.MessageTemplate.Text), Is.EqualTo(new[] { "Good", "Deep", "Good" }));
            Assert.That(failures, Has.Count.EqualTo(1));
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
    public void NamesThatDifferOnlyInCaseOrEscapesReadAsWritten()
    {
        // Each name is decoded once and then found by its bytes: "\u0041" and "A" are two spellings of one name,
        // "a" another name.
        var lines = Encoding.UTF8.GetBytes(
            """{"@t":"2024-01-02T03:04:05Z","@mt":"","A":1,"a":2,"\u0041":3}""" + "\n" +
            """{"@t":"2024-01-02T03:04:05Z","@mt":"","\u0041":4,"a":5,"A":6,"\u0061":7}""");

        var events = ClefReader.ReadLines(lines);

        Assert.Multiple(() =>
        {
            Assert.That(ClefRoundTrip.PropertiesOf(events[0]), Is.EqualTo(new[] { "A=3", "a=2" }));
            Assert.That(ClefRoundTrip.PropertiesOf(events[1]), Is.EqualTo(new[] { "A=6", "a=7" }));
        });
    }

    [Test]
    public void TemplatesThatDifferOnlyInCaseOrEscapesReadAsWritten()
    {
        var lines = Encoding.UTF8.GetBytes(
            """{"@t":"2024-01-02T03:04:05Z","@mt":"Hi {A}","A":1}""" + "\n" +
            """{"@t":"2024-01-02T03:04:05Z","@mt":"hi {A}","A":1}""" + "\n" +
            """{"@t":"2024-01-02T03:04:05Z","@mt":"\u0048i {A}\n","A":1}""" + "\n" +
            """{"@t":"2024-01-02T03:04:05Z","@m":"Hi {A}","A":1}""");

        var events = ClefReader.ReadLines(lines);

        // The same bytes as a rendered message are text alone, braces and all.
        Assert.That(events.Select(e => e.RenderMessage(CultureInfo.InvariantCulture)),
            Is.EqualTo(new[] { "Hi 1", "hi 1", "Hi 1\n", "Hi {A}" }));
    }

    [Test]
    public void MoreNamesAndTemplatesThanTheCachesHoldStillReadAsWritten()
    {
        var lines = Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 3000).Select(i =>
            $$"""{"@t":"2024-01-02T03:04:05Z","@mt":"T{{i}} {P{{i}}}","P{{i}}":{{i}},"Q{{i % 7}}":"q"}""")));

        var events = ClefReader.ReadLines(lines).Concat(ClefReader.ReadLines(lines)).ToList();

        Assert.That(events.Select(e => e.RenderMessage(CultureInfo.InvariantCulture) + " " + string.Join(",", e.Properties.Keys)),
            Is.EqualTo(Enumerable.Range(0, 6000).Select(n => n % 3000).Select(i => $"T{i} {i} P{i},Q{i % 7}")));
    }

    [Test]
    public void ThreadsReadingAtOnceEachGetTheirOwnNamesAndTemplates()
    {
        // Few cache slots for many threads' text: lookups race with replacements of the same slots.
        string Line(int thread, int i) =>
            $$"""{"@t":"2024-01-02T03:04:05Z","@mt":"{N{{thread}}x{{i % 50}}}","N{{thread}}x{{i % 50}}":{{i}}}""";
        var threads = Enumerable.Range(0, 4).ToArray();
        var payloads = threads.Select(t => Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 2000).Select(i => Line(t, i))))).ToArray();

        var rendered = new string[threads.Length][];
        Parallel.ForEach(threads, new ParallelOptions { MaxDegreeOfParallelism = threads.Length }, t =>
            rendered[t] = [.. ClefReader.ReadLines(payloads[t]).Select(e => e.RenderMessage(CultureInfo.InvariantCulture))]);

        Assert.That(rendered, Is.All.EqualTo(Enumerable.Range(0, 2000).Select(i => i.ToString(CultureInfo.InvariantCulture))));
    }

    [Test]
    public void ATimestampKeepsItsOffsetAsWritten()
    {
        string Line(string timestamp) => $$"""{"@t":"{{timestamp}}","@mt":""}""";
        var expected = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(5.5)).AddTicks(1234567);

        Assert.Multiple(() =>
        {
            Assert.That(ClefReader.Read(Line("2024-05-06T07:08:09.1234567+05:30")).Timestamp,
                Is.EqualTo(expected).And.Property(nameof(DateTimeOffset.Offset)).EqualTo(TimeSpan.FromHours(5.5)));
            Assert.That(ClefReader.Read(Line("2024-05-06T07:08:09.1234567-03:00")).Timestamp.Offset, Is.EqualTo(TimeSpan.FromHours(-3)));
            Assert.That(ClefReader.Read(Line("2024-05-06T07:08:09.1234567Z")).Timestamp.Offset, Is.EqualTo(TimeSpan.Zero));
            // Not the formatter's form, read as before.
            Assert.That(ClefReader.Read(Line("2024-05-06T07:08:09+05:30")).Timestamp,
                Is.EqualTo(expected.AddTicks(-1234567)).And.Property(nameof(DateTimeOffset.Offset)).EqualTo(TimeSpan.FromHours(5.5)));
            Assert.That(ClefReader.Read(Line("\\u0032024-05-06T07:08:09.1234567+05:30")).Timestamp.Offset, Is.EqualTo(TimeSpan.FromHours(5.5)));
            Assert.That(() => ClefReader.Read(Line("2024-05-06T07:08:09.1234567+15:00")), Throws.InstanceOf<FormatException>());
        });
    }

    [Test]
    public void LevelsReadInAnyCaseAndUnknownOnesAsInformation()
    {
        LogEventLevel Level(string level) => ClefReader.Read($$"""{"@t":"2024-01-02T03:04:05Z","@l":"{{level}}"}""").Level;

        Assert.Multiple(() =>
        {
            Assert.That(Level("Warning"), Is.EqualTo(LogEventLevel.Warning));
            Assert.That(Level("warning"), Is.EqualTo(LogEventLevel.Warning));
            Assert.That(Level("FATAL"), Is.EqualTo(LogEventLevel.Fatal));
            Assert.That(Level("\\u0045rror"), Is.EqualTo(LogEventLevel.Error));
            Assert.That(Level("Warn"), Is.EqualTo(LogEventLevel.Information));
        });
    }

    [Test]
    public void ALineThatIsNotJsonFailsAsSuchEvenAfterAFieldThatCannotBeRead()
    {
        // A parsed document saw the missing brace before the numeric timestamp; reading forward must say the same.
        Assert.Multiple(() =>
        {
            Assert.That(() => ClefReader.Read("""{"@t":5,"A":1"""), Throws.InstanceOf<JsonException>());
            Assert.That(() => ClefReader.Read("""{"@t":5}"""), Throws.InstanceOf<FormatException>());
            Assert.That(() => ClefReader.Read("""{"@t":"2024-01-02T03:04:05Z"} {}"""), Throws.InstanceOf<JsonException>());
            Assert.That(() => ClefReader.Read("""[1"""), Throws.InstanceOf<JsonException>());
        });
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
