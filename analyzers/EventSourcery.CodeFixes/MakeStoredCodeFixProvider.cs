using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0010: turns a public or internal field into an init-only auto-property, and gives a get-only auto-property a
/// <c>private init</c> accessor; both shapes are stored. A member that is private, or whose getter is, gets no fix:
/// making it public changes the type's contract, and <c>[JsonIgnore]</c> drops it, so that is the user's choice.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeStoredCodeFixProvider))]
[Shared]
public sealed class MakeStoredCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix, stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.UnstoredMemberId + "_MakeStored";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnstoredMemberId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var node = root?.FindNode(context.Span);
        if (root is null || node is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (node.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is { } variable
                && variable.Parent?.Parent is FieldDeclarationSyntax field
                && field.Declaration.Variables.Count == 1
                && !field.Modifiers.Any(SyntaxKind.VolatileKeyword)
                && IsPublicOrInternal(field.Modifiers))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Make '{variable.Identifier.ValueText}' an init-only property",
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(field, StoredShapeRewrites.ToInitProperty(field, variable)))),
                        EquivalenceKey),
                    diagnostic);
            }
            else if (node.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is { AccessorList: { Accessors.Count: 1 } accessors } property
                && accessors.Accessors[0].IsKind(SyntaxKind.GetAccessorDeclaration)
                && accessors.Accessors[0].Body is null
                && accessors.Accessors[0].ExpressionBody is null
                && accessors.Accessors[0].Modifiers.Count == 0
                && IsPublicOrInternal(property.Modifiers))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Add 'private init' to '{property.Identifier.ValueText}'",
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(property, StoredShapeRewrites.AddPrivateInit(property, accessors)))),
                        EquivalenceKey),
                    diagnostic);
            }
        }
    }

    private static bool IsPublicOrInternal(SyntaxTokenList modifiers)
        => (modifiers.Any(SyntaxKind.PublicKeyword) || modifiers.Any(SyntaxKind.InternalKeyword))
           && !modifiers.Any(SyntaxKind.PrivateKeyword) && !modifiers.Any(SyntaxKind.ProtectedKeyword);
}
