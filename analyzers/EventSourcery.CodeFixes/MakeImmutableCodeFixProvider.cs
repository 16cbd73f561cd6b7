using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using EventSourcery.Analyzers;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.CodeFixes;

/// <summary>
/// ES0005: turns a property's <c>set</c> accessor into <c>init</c> (a <c>private init</c> is stored too); makes a field
/// <c>readonly</c> only where the field is the storage behind a stored property; turns a public or internal field into
/// an init-only auto-property. It never produces a shape that would not be stored (ES0010): a private field that no
/// stored property sets gets no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeImmutableCodeFixProvider))]
[Shared]
public sealed class MakeImmutableCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of the fix (both kinds), stable so Fix All can group it.</summary>
    public const string EquivalenceKey = DiagnosticDescriptors.MutableEventId + "_MakeImmutable";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MutableEventId);

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
            if (node.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is { AccessorList: { } accessors } property
                && FindSetter(accessors) is { } setter)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Make '{property.Identifier.ValueText}' init-only",
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(setter, ToInit(setter)))),
                        EquivalenceKey),
                    diagnostic);
            }
            else if (node.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is { } variable
                && variable.Parent?.Parent is FieldDeclarationSyntax field
                && !field.Modifiers.Any(SyntaxKind.VolatileKeyword)
                && !field.Modifiers.Any(SyntaxKind.ReadOnlyKeyword)
                && await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false) is { } model
                && model.GetDeclaredSymbol(variable, context.CancellationToken) is IFieldSymbol symbol)
            {
                if (StoredMembers.IsBehindStoredProperty(symbol, model.Compilation.Assembly))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            $"Make '{variable.Identifier.ValueText}' readonly",
                            _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(field, AddReadOnly(field)))),
                            EquivalenceKey),
                        diagnostic);
                }
                else if (symbol.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal
                    && field.Declaration.Variables.Count == 1)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            $"Make '{variable.Identifier.ValueText}' an init-only property",
                            _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(field, StoredShapeRewrites.ToInitProperty(field, variable)))),
                            EquivalenceKey),
                        diagnostic);
                }
            }
        }
    }

    private static AccessorDeclarationSyntax? FindSetter(AccessorListSyntax accessors)
    {
        foreach (var accessor in accessors.Accessors)
        {
            if (accessor.IsKind(SyntaxKind.SetAccessorDeclaration))
            {
                return accessor;
            }
        }

        return null;
    }

    private static AccessorDeclarationSyntax ToInit(AccessorDeclarationSyntax setter)
        => SyntaxFactory.AccessorDeclaration(
            SyntaxKind.InitAccessorDeclaration,
            setter.AttributeLists,
            setter.Modifiers,
            SyntaxFactory.Token(setter.Keyword.LeadingTrivia, SyntaxKind.InitKeyword, setter.Keyword.TrailingTrivia),
            setter.Body,
            setter.ExpressionBody,
            setter.SemicolonToken);

    private static FieldDeclarationSyntax AddReadOnly(FieldDeclarationSyntax field)
    {
        if (field.Modifiers.Count == 0)
        {
            var type = field.Declaration.Type;
            var modifier = SyntaxFactory.Token(type.GetLeadingTrivia(), SyntaxKind.ReadOnlyKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return field
                .WithDeclaration(field.Declaration.WithType(type.WithLeadingTrivia(SyntaxFactory.TriviaList())))
                .WithModifiers(SyntaxFactory.TokenList(modifier));
        }

        return field.WithModifiers(field.Modifiers.Add(SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
    }
}
