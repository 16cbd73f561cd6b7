using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection.Metadata;
using System.Threading;
using EventSourcery.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace EventSourcery.Generators.Parsing;

/// <summary>
/// The generated registry class a referenced assembly declares with
/// <c>[assembly: GeneratedEventTypes(typeof(EventSourcery.Generated.EventTypes_X))]</c>, read from the reference itself
/// (its metadata, or for a project the IDE has open, its compilation), so that the lookup runs once per reference and
/// never again on an edit of this project: the references do not change when a file does.
/// </summary>
internal static class ReferencedRegistry
{
    private const string AttributeNamespace = "EventSourcery.Serialization";
    private const string AttributeName = "GeneratedEventTypesAttribute";

    /// <summary>The registry class, fully qualified with <c>global::</c>, or null when the reference declares none.</summary>
    public static string? Read(MetadataReference reference, CancellationToken cancellationToken)
    {
        try
        {
            return reference switch
            {
                CompilationReference compilation => FromSymbols(compilation.Compilation.Assembly),
                PortableExecutableReference executable when executable.GetMetadata() is AssemblyMetadata assembly => FromMetadata(assembly, cancellationToken),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is BadImageFormatException or InvalidOperationException or System.IO.IOException)
        {
            return null; // not a readable assembly: it declares no registry
        }
    }

    private static string? FromSymbols(IAssemblySymbol assembly)
    {
        foreach (var attribute in assembly.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && attributeClass.IsNamed(KnownNames.GeneratedEventTypesAttribute)
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is INamedTypeSymbol registryType)
            {
                return registryType.ToFullyQualifiedName();
            }
        }

        return null;
    }

    private static string? FromMetadata(AssemblyMetadata assembly, CancellationToken cancellationToken)
    {
        var modules = assembly.GetModules();
        if (modules.IsEmpty)
        {
            return null;
        }

        var reader = modules[0].GetMetadataReader();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attribute = reader.GetCustomAttribute(handle);
            if (!IsRegistryAttribute(reader, attribute))
            {
                continue;
            }

            var value = attribute.DecodeValue(TypeNames.Instance);
            if (value.FixedArguments.Length == 1 && value.FixedArguments[0].Value is string serialized && serialized.Length > 0)
            {
                // A serialized type name: "Namespace.Type, Assembly, Version=…" (the assembly part may be missing).
                var comma = serialized.IndexOf(',');
                var name = (comma < 0 ? serialized : serialized.Substring(0, comma)).Trim().Replace('+', '.');
                return "global::" + name;
            }
        }

        return null;
    }

    private static bool IsRegistryAttribute(MetadataReader reader, CustomAttribute attribute)
    {
        EntityHandle type;
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
        {
            type = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        }
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
        {
            type = reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        }
        else
        {
            return false;
        }

        return type.Kind switch
        {
            HandleKind.TypeReference => Is(reader, reader.GetTypeReference((TypeReferenceHandle)type).Namespace, reader.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => Is(reader, reader.GetTypeDefinition((TypeDefinitionHandle)type).Namespace, reader.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => false,
        };

        static bool Is(MetadataReader reader, StringHandle @namespace, StringHandle name)
            => reader.StringComparer.Equals(name, AttributeName) && reader.StringComparer.Equals(@namespace, AttributeNamespace);
    }

    /// <summary>Decodes attribute arguments with types as their serialized names; enough for the one <c>System.Type</c> argument.</summary>
    private sealed class TypeNames : ICustomAttributeTypeProvider<string>
    {
        public static readonly TypeNames Instance = new();

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
            => FullName(reader, reader.GetTypeDefinition(handle).Namespace, reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
            => FullName(reader, reader.GetTypeReference(handle).Namespace, reader.GetTypeReference(handle).Name);

        private static string FullName(MetadataReader reader, StringHandle @namespace, StringHandle name)
            => @namespace.IsNil ? reader.GetString(name) : reader.GetString(@namespace) + "." + reader.GetString(name);

        public string GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => throw new BadImageFormatException($"unexpected enum {type} in the registry attribute");

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
