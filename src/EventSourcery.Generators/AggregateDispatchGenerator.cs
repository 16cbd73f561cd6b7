using EventSourcery.Generators.Emitting;
using EventSourcery.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators;

/// <summary>
/// Writes, for every partial class deriving from EventSourcery.Aggregate, the type switch that dispatches each event
/// to its Apply overload and the factory the repository uses. The user writes no attribute.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AggregateDispatchGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var aggregates = context.SyntaxProvider
            .CreateSyntaxProvider(AggregateParser.IsCandidate, AggregateParser.Parse)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.Aggregates);

        context.RegisterSourceOutput(aggregates, static (spc, model) =>
            spc.AddSource(model!.Hierarchy.HintName, AggregateEmitter.Emit(model)));
    }
}
