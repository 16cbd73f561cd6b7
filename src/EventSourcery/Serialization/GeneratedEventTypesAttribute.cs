using System.ComponentModel;

namespace EventSourcery.Serialization;

/// <summary>
/// Marks an assembly whose event types the EventSourcery generator registered, naming the generated class that
/// lists them. The generator in an assembly that references this one reads it, so the referencing assembly's
/// module initializer registers these event types too, even before any of them is loaded.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class GeneratedEventTypesAttribute : Attribute
{
    /// <summary>Names the generated class (it has a public static <c>Register()</c> method).</summary>
    public GeneratedEventTypesAttribute(Type registryType) => RegistryType = registryType;

    /// <summary>The generated class listing the assembly's event types.</summary>
    public Type RegistryType { get; }
}
