using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0004: gives an event that has no <c>[EventName]</c> one made of its namespace-qualified name
/// (<c>[EventName("Sales.OrderPlaced")]</c>), which no other type in the compilation can share.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddEventNameCodeFixProvider))]
[Shared]
public sealed class AddEventNameCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.DuplicateEventNameId + "_AddEventName";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.DuplicateEventNameId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not { } node
            || node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || model?.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type
            || model.Compilation.GetTypeByMetadataName("EventSourcery.EventNameAttribute") is not { } attributeType)
        {
            return;
        }

        foreach (var attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return; // the name was chosen on purpose: the user has to pick another one
            }
        }

        var stableName = type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None));
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Add [EventName(\"{stableName}\")]",
                    cancellationToken => AddAttributeAsync(context.Document, declaration, attributeType, stableName, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> AddAttributeAsync(
        Document document,
        TypeDeclarationSyntax declaration,
        INamedTypeSymbol attributeType,
        string stableName,
        CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var generator = editor.Generator;
        var attribute = generator.Attribute(
            generator.TypeExpression(attributeType, addImport: true),
            new[] { generator.AttributeArgument(generator.LiteralExpression(stableName)) });
        editor.AddAttribute(declaration, attribute);
        return editor.GetChangedDocument();
    }
}
