using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace EventSourcery.Analyzers.Versioning;

/// <summary>One line of EventSchemas.Shipped.txt: a stored name and version, and the shape it was shipped with.</summary>
internal sealed class ShippedVersion
{
    public ShippedVersion(string name, int version, IReadOnlyDictionary<string, string> properties, Location location)
    {
        Name = name;
        Version = version;
        Properties = properties;
        Location = location;
    }

    public string Name { get; }

    public int Version { get; }

    /// <summary>JSON name to C# type.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>The line in the file, where ES0011 is reported.</summary>
    public Location Location { get; }
}

/// <summary>
/// EventSchemas.Shipped.txt, an AdditionalFile beside the project (the NuGet package adds it when it exists): one line
/// per stored name and version that has shipped, <c>order_placed v2 {orderId: string; total: decimal}</c>, blank lines and
/// lines starting with <c>#</c> ignored. Like PublicAPI.Shipped.txt, it is what the compilation is compared with.
/// </summary>
internal static class ShippedSchemas
{
    public const string FileName = "EventSchemas.Shipped.txt";

    /// <summary>The first line of a new file, written by the code fix.</summary>
    public const string Header = "# Event versions that have shipped: stored name, version and stored shape (see docs/versioning.md).";

    private static readonly string[] PropertySeparator = ["; "];

    private static readonly Regex LinePattern = new(@"^(?<name>\S+) v(?<version>[0-9]+) \{(?<properties>[^{}]*)\}$", RegexOptions.CultureInvariant);

    public static AdditionalText? Find(IEnumerable<AdditionalText> files)
        => files.FirstOrDefault(f => string.Equals(System.IO.Path.GetFileName(f.Path), FileName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The shipped versions, and the lines that are not in the format (reported as such).</summary>
    public static (List<ShippedVersion> Versions, List<(int Line, Location Location)> Malformed) Read(AdditionalText file, CancellationToken cancellationToken)
    {
        var versions = new List<ShippedVersion>();
        var malformed = new List<(int, Location)>();
        var text = file.GetText(cancellationToken);
        if (text is null)
        {
            return (versions, malformed);
        }

        foreach (var line in text.Lines)
        {
            var content = line.ToString().Trim();
            if (content.Length == 0 || content.StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            var location = Location.Create(file.Path, line.Span, text.Lines.GetLinePositionSpan(line.Span));
            var match = LinePattern.Match(content);
            if (!match.Success || !int.TryParse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || ParseProperties(match.Groups["properties"].Value) is not { } properties)
            {
                malformed.Add((line.LineNumber + 1, location));
                continue;
            }

            versions.Add(new ShippedVersion(match.Groups["name"].Value, version, properties, location));
        }

        return (versions, malformed);
    }

    /// <summary>The line for a version (what the code fix appends).</summary>
    public static string FormatLine(string name, int version, string shape) => $"{name} v{version.ToString(CultureInfo.InvariantCulture)} {shape}";

    /// <summary>The properties of a shape's text (<c>{a: int; b: string?}</c>), in order, or null when it is not one.</summary>
    public static List<KeyValuePair<string, string>>? ParseShape(string shape)
        => shape.Length >= 2 && shape[0] == '{' && shape[shape.Length - 1] == '}' && ParseProperties(shape.Substring(1, shape.Length - 2)) is { } properties
            ? properties.ToList()
            : null;

    private static Dictionary<string, string>? ParseProperties(string text)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Trim().Length == 0)
        {
            return properties;
        }

        foreach (var part in text.Split(PropertySeparator, StringSplitOptions.None))
        {
            var colon = part.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0 || colon + 2 >= part.Length || properties.ContainsKey(part.Substring(0, colon)))
            {
                return null;
            }

            properties.Add(part.Substring(0, colon), part.Substring(colon + 2));
        }

        return properties;
    }
}
