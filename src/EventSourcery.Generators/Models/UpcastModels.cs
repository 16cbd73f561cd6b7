using EventSourcery.Generators.Helpers;

namespace EventSourcery.Generators.Models;

/// <summary>
/// One <c>[Upcaster]</c> method: a typed step reads an old shape and returns the next, a JSON step rewrites the payload
/// of a current event's older version into the next version's.
/// </summary>
/// <param name="Method">The step's fully qualified call target (<c>global::Shop.OrderUpcasts.Upcast</c>).</param>
/// <param name="IsJson">A JSON step (JsonObject to JsonObject) rather than a typed one.</param>
/// <param name="FromType">The parameter's type: the old shape (typed steps).</param>
/// <param name="FromName">The stored name of the version read: the old shape's <c>[EventName]</c>, or a JSON step's <c>Name</c> (null: the current name).</param>
/// <param name="FromVersion">The schema version read.</param>
/// <param name="FromCodecId">The old shape's codec (typed steps); its codecs are in <paramref name="Objects"/> and <paramref name="Enums"/>.</param>
/// <param name="FromIsEvent">The old shape derives from Event, so its codec reads with the stored header.</param>
/// <param name="ToType">The return type: the next shape, or the current event.</param>
/// <param name="TargetEvent">The current event of a JSON step (its attribute's type); empty for typed steps.</param>
/// <param name="Objects">The codecs of the old shape and the types its properties use.</param>
/// <param name="Enums">The enum codecs the old shape needs.</param>
internal sealed record UpcastStepModel(
    string Method,
    bool IsJson,
    string FromType,
    string? FromName,
    int FromVersion,
    string FromCodecId,
    bool FromIsEvent,
    string ToType,
    string TargetEvent,
    EquatableArray<ObjectCodecModel> Objects,
    EquatableArray<EnumCodecModel> Enums);

/// <summary>An older version of an event in its registry entry: read typed or by a JSON step.</summary>
/// <param name="Name">The name the version was stored under.</param>
/// <param name="Version">The schema version.</param>
/// <param name="IsJson">Read by a JSON step rather than a typed reader.</param>
/// <param name="Reader">The generated typed reader, or the JSON step's method.</param>
internal sealed record OlderVersionModel(string Name, int Version, bool IsJson, string Reader);

/// <summary>The typed readers of one event's older versions: each reads its old shape and runs the steps to the current type.</summary>
internal sealed record UpcastChainModel(
    string EventCodecId,
    EquatableArray<TypedVersionReader> Readers,
    EquatableArray<ObjectCodecModel> Objects,
    EquatableArray<EnumCodecModel> Enums)
{
    public string ClassName => $"EventSourceryUpcasts_{EventCodecId}";
}

/// <summary>One typed older version: read <see cref="CodecId"/>, then call <see cref="Steps"/> in order.</summary>
internal sealed record TypedVersionReader(int Version, string CodecId, bool IsEvent, EquatableArray<string> Steps);
