using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace EventSourcery.Cli.Output;

/// <summary>Where the tool writes: Spectre.Console tables for people, System.Text.Json for scripts.</summary>
internal static class Terminal
{
    /// <summary>
    /// A console over standard output. Spectre.Console decides about colour: none when the output is redirected to a file
    /// or a pipe, none when <c>NO_COLOR</c> is set, otherwise what the terminal supports. Redirected output is not
    /// wrapped at 80 columns (a table row stays one line for grep); a terminal's own width is used otherwise.
    /// </summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    private const int RedirectedWidth = 4096;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>Writes one JSON document, indented, on standard output, followed by a line break.</summary>
    public static async Task WriteJsonAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var stdout = Console.OpenStandardOutput();
        await using (stdout.ConfigureAwait(false))
        {
            var writer = CreateJsonWriter(stdout, indented: true);
            await using (writer.ConfigureAwait(false))
            {
                write(writer);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await stdout.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A number as text, culture-invariant.</summary>
    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON writer on standard output (the caller disposes it, which flushes it).</summary>
    public static Utf8JsonWriter CreateJsonWriter(Stream stream, bool indented) => new(stream, new JsonWriterOptions
    {
        Indented = indented,

        // Readable text (accents, quotes as they are) rather than \u escapes; the output is data, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes <paramref name="json"/> as it is stored when it is valid JSON, as a string otherwise, or null.</summary>
    public static void WriteRawOrString(Utf8JsonWriter writer, string name, string? json)
    {
        if (json is null)
        {
            writer.WriteNull(name);
        }
        else if (IsValidJson(json))
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(json, skipInputValidation: true);
        }
        else
        {
            writer.WriteString(name, json);
        }
    }

    /// <summary>A cell of a table: the text with Spectre markup escaped, or a dim dash for nothing.</summary>
    public static Markup Cell(string? text) => text is null or "" ? new Markup("[grey]-[/]") : new Markup(Markup.Escape(text));

    private static bool IsValidJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
