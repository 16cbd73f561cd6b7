using System;
using System.Text;

namespace EventSourcery.Generators.Helpers;

/// <summary>Writes C# source line by line with indentation; <see cref="Block"/> opens a brace scope closed by dispose.</summary>
internal sealed class IndentedTextWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _depth;

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < _depth; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(line);
        }

        _builder.Append('\n');
    }

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes <paramref name="header"/> (if any), then <c>{</c>; the returned scope writes <c>}</c> (plus <paramref name="closingSuffix"/>).</summary>
    public Scope Block(string? header = null, string closingSuffix = "")
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _depth++;
        return new Scope(this, closingSuffix);
    }

    public override string ToString() => _builder.ToString();

    internal readonly struct Scope : IDisposable
    {
        private readonly IndentedTextWriter _writer;
        private readonly string _suffix;

        public Scope(IndentedTextWriter writer, string suffix)
        {
            _writer = writer;
            _suffix = suffix;
        }

        public void Dispose()
        {
            _writer._depth--;
            _writer.WriteLine("}" + _suffix);
        }
    }
}
