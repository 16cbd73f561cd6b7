using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace EventSourcery.Analyzers.Tests.Verifiers;

/// <summary>
/// Runs one analyzer over markup source (<c>{|ES0003:TurnOn|}</c>, <c>{|#0:TurnOn|}</c>) and checks that exactly the
/// expected diagnostics are reported. An analyzer exception (AD0001) or a compiler error in the source fails the test.
/// </summary>
internal static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>An expected diagnostic of <paramref name="id"/>, located with <c>WithLocation</c>.</summary>
    public static DiagnosticResult Diagnostic(string id) => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(id);

    /// <summary>Verifies that <paramref name="source"/> produces exactly <paramref name="expected"/> (plus the markup ones).</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The analyzer test, set up with the embedded references.</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test() => TestReferences.Configure(this);
    }
}
