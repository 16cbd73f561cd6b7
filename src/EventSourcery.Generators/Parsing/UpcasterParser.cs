using System.Linq;
using System.Threading;
using EventSourcery.Generators.Helpers;
using EventSourcery.Generators.Models;
using EventSourcery.Shapes;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators.Parsing;

/// <summary>
/// Reads <c>[Upcaster]</c> methods into <see cref="UpcastStepModel"/>s. A method of the wrong shape yields nothing: the
/// analyzers report it, and the generator never emits code that would not compile.
/// </summary>
internal static class UpcasterParser
{
    public static UpcastStepModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol { IsStatic: true, IsGenericMethod: false, Parameters.Length: 1 } method
            || method.Parameters[0].RefKind != RefKind.None
            || method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal)
            || method.ContainingType is not { IsGenericType: false } containing
            || !StoredMembers.IsReachableFromAssembly(containing)
            || method.ReturnType is not INamedTypeSymbol to
            || method.Parameters[0].Type is not INamedTypeSymbol from
            || context.Attributes.FirstOrDefault() is not { } attribute)
        {
            return null;
        }

        var target = $"{containing.ToFullyQualifiedName()}.{method.Name}";
        var empty = EquatableArray<ObjectCodecModel>.Empty;
        if (attribute.ConstructorArguments.Length == 2)
        {
            // A JSON step: JsonObject -> JsonObject, for a current event type named by the attribute.
            if (attribute.ConstructorArguments[0].Value is not INamedTypeSymbol eventType
                || attribute.ConstructorArguments[1].Value is not int fromVersion
                || fromVersion < 1
                || !from.IsNamed(KnownNames.JsonObject)
                || !to.IsNamed(KnownNames.JsonObject))
            {
                return null;
            }

            var name = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            return new UpcastStepModel(target, IsJson: true, from.ToFullyQualifiedName(), name is { Length: > 0 } ? name : null, fromVersion, string.Empty, false, to.ToFullyQualifiedName(), eventType.ToFullyQualifiedName(), empty, EquatableArray<EnumCodecModel>.Empty);
        }

        // A typed step: the old shape names its stored name and version with [EventName(name, Version = n)].
        if (attribute.ConstructorArguments.Length != 0 || from.IsAbstract || from.IsGenericType || from.TypeKind != TypeKind.Class
            || !StoredMembers.IsReachableFromAssembly(from) || !HasEventName(from))
        {
            return null;
        }

        var (storedName, version) = EventParser.GetStableName(from);
        var builder = new CodecBuilder(context.SemanticModel.Compilation.Assembly, cancellationToken);
        var fromIsEvent = from.InheritsFrom(KnownNames.Event);
        var codecId = builder.AddShape(from, fromIsEvent);
        return new UpcastStepModel(
            target,
            IsJson: false,
            from.ToFullyQualifiedName(),
            storedName,
            version,
            codecId,
            fromIsEvent,
            to.ToFullyQualifiedName(),
            TargetEvent: string.Empty,
            builder.Objects,
            builder.Enums);
    }

    private static bool HasEventName(INamedTypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass is { } c && c.IsNamed(KnownNames.EventNameAttribute));
}
