using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EventSourcery.CodeFixes;

/// <summary>Syntax rewrites that turn a member into a shape that is stored (ES0010), shared by the ES0005 and ES0010 fixes.</summary>
internal static class StoredShapeRewrites
{
    /// <summary>
    /// <c>public string Who = "";</c> (or <c>public readonly string Who = "";</c>) becomes
    /// <c>public string Who { get; init; } = "";</c>: an init-only auto-property, which is stored.
    /// </summary>
    public static PropertyDeclarationSyntax ToInitProperty(FieldDeclarationSyntax field, VariableDeclaratorSyntax variable)
    {
        var accessors = SyntaxFactory.AccessorList(SyntaxFactory.List(new[]
        {
            SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken)),
            SyntaxFactory.AccessorDeclaration(SyntaxKind.InitAccessorDeclaration).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken)),
        })).WithLeadingTrivia(SyntaxFactory.Space);
        var modifiers = SyntaxFactory.TokenList(field.Modifiers.Where(m => !m.IsKind(SyntaxKind.ReadOnlyKeyword)));
        var type = field.Declaration.Type;
        if (modifiers.Count == 0 && field.Modifiers.Count > 0)
        {
            type = type.WithLeadingTrivia(field.Modifiers[0].LeadingTrivia); // `readonly int X;` keeps its indentation
        }

        var property = SyntaxFactory.PropertyDeclaration(
                field.AttributeLists,
                modifiers,
                type,
                explicitInterfaceSpecifier: null,
                variable.Identifier.WithTrailingTrivia(),
                accessors);
        if (variable.Initializer is { } initializer)
        {
            property = property
                .WithInitializer(initializer.WithLeadingTrivia(SyntaxFactory.Space))
                .WithSemicolonToken(field.SemicolonToken);
        }
        else
        {
            property = property.WithAccessorList(accessors.WithTrailingTrivia(field.SemicolonToken.TrailingTrivia));
        }

        return property.WithLeadingTrivia(field.GetLeadingTrivia()).WithTrailingTrivia(field.GetTrailingTrivia());
    }

    /// <summary><c>public int Total { get; }</c> becomes <c>public int Total { get; private init; }</c>, which is stored.</summary>
    public static PropertyDeclarationSyntax AddPrivateInit(PropertyDeclarationSyntax property, AccessorListSyntax accessors)
    {
        var getter = accessors.Accessors[0];
        var init = SyntaxFactory.AccessorDeclaration(SyntaxKind.InitAccessorDeclaration)
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PrivateKeyword).WithTrailingTrivia(SyntaxFactory.Space)))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken))
            .WithLeadingTrivia(SyntaxFactory.Space)
            .WithTrailingTrivia(getter.GetTrailingTrivia());
        accessors = accessors.ReplaceNode(getter, getter.WithTrailingTrivia());
        return property.WithAccessorList(accessors.WithAccessors(accessors.Accessors.Add(init)));
    }
}
