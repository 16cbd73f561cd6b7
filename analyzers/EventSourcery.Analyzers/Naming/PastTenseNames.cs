using System;
using System.Collections.Generic;
using System.Text;

namespace EventSourcery.Analyzers.Naming;

/// <summary>
/// Decides whether an event type name is in the past tense and suggests one when it is not (ES0003).
/// </summary>
/// <remarks>
/// The name is split into PascalCase words. The verb position is the last word, or the word before a trailing particle
/// (<c>LoggedIn</c>, <c>CheckedOut</c>). A name is accepted when the verb position holds a past form (regular, irregular
/// or the same as the present: <c>PriceSet</c>), or when another word is a regular or irregular past form
/// (<c>ItemAddedToCart</c>). Otherwise it is reported only when a verb can be named with confidence: the verb position
/// or the first word (imperative: <c>CreateOrder</c>) is a present-tense verb from <see cref="VerbLexicon"/>, or the
/// last word is a noun that hides a verb (<c>AccountClosure</c>, see <see cref="Nominalizations"/>). Names made only of
/// nouns or unknown words (<c>Heartbeat</c>, <c>PaymentReceipt</c>), and known noun compounds (<c>PullRequest</c>), are
/// not reported.
/// See docs/diagnostics/ES0003.md.
/// </remarks>
internal static class PastTenseNames
{
    private static readonly HashSet<string> Particles = new(StringComparer.OrdinalIgnoreCase)
    {
        "on", "off", "in", "out", "up", "down", "over", "back", "away",
    };

    // Where an imperative name's object ends: "AddItemToCart" -> "ItemAddedToCart".
    private static readonly HashSet<string> Prepositions = new(StringComparer.OrdinalIgnoreCase)
    {
        "on", "off", "in", "out", "up", "down", "over", "back", "away", "to", "from", "for", "with", "into", "onto", "at",
        "by", "of", "via", "after", "before", "during", "within", "without", "between", "under", "through", "across",
        "against", "as", "per",
    };

    private static readonly HashSet<string> Conjunctions = new(StringComparer.OrdinalIgnoreCase) { "and", "or", "then" };

    /// <summary>
    /// Returns the suggested past-tense name when <paramref name="name"/> should be reported, or null when the name is
    /// fine or the rule cannot tell.
    /// </summary>
    public static string? GetSuggestion(string name)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOf('_') >= 0 || !char.IsUpper(name[0]))
        {
            return null;
        }

        var words = SplitWords(name);
        var count = words.Count;
        var last = words[count - 1];

        // Family bases (OrderEvent, LightSwitchEvent) name a group of events, not a fact.
        if (string.Equals(last, "Event", StringComparison.Ordinal) || string.Equals(last, "Events", StringComparison.Ordinal))
        {
            return null;
        }

        var endsWithParticle = count >= 2 && Particles.Contains(last);
        var verbIndex = endsWithParticle ? count - 2 : count - 1;

        for (var i = 0; i < count; i++)
        {
            // "Set", "Read", "Put"... are past forms only at the verb position (PriceSet); elsewhere they read as
            // present tense (SetPrice, RebuildReadModel).
            if (VerbLexicon.IsPastForm(words[i], acceptSameAsPresent: i == verbIndex))
            {
                return null;
            }
        }

        foreach (var word in words)
        {
            if (Conjunctions.Contains(word))
            {
                return null; // "ApproveAndShip": more than one verb, no single suggestion
            }
        }

        if (count >= 2 && !endsWithParticle)
        {
            // "MarketShare", "PullRequest": a thing, though its last word is also a verb.
            if (Nominalizations.IsNounCompound(words[count - 2], last))
            {
                return null;
            }

            // "AccountClosure" -> "AccountClosed", "UserSignup" -> "UserSignedUp": the verb hides in a noun.
            if (Nominalizations.TryGetVerb(last, out var hidden, out var particle))
            {
                words[count - 1] = Capitalize(VerbLexicon.GetPastParticiple(hidden)) + (particle is null ? string.Empty : Capitalize(particle));
                return string.Concat(words);
            }
        }

        var lastVerb = GetVerbAt(words, verbIndex, endsWithParticle, allowThirdPerson: true);
        var firstVerb = verbIndex > 0
            ? GetVerbAt(words, 0, followedByParticle: count >= 3 && Particles.Contains(words[1]), allowThirdPerson: false)
            : null;

        // Both ends may read as verbs (ShipOrder: Ship is a verb, Order mostly a noun): the stronger reading wins; between
        // two plain verbs the imperative (first) reading wins, otherwise the smaller edit (the last word) does.
        var useFirst = (firstVerb, lastVerb) switch
        {
            (null, null) => (bool?)null,
            (null, _) => false,
            (_, null) => true,
            _ => Strength(firstVerb) > Strength(lastVerb) || (Strength(firstVerb) == Strength(lastVerb) && VerbLexicon.GetKind(firstVerb) == VerbKind.Verb),
        };

        switch (useFirst)
        {
            case true:
                return MoveImperativeVerb(words, firstVerb!);
            case false:
                words[verbIndex] = Capitalize(VerbLexicon.GetPastParticiple(lastVerb!));
                return string.Concat(words);
            default:
                return null;
        }
    }

    private static int Strength(string verb) => VerbLexicon.GetKind(verb) switch
    {
        VerbKind.Verb => 3,
        VerbKind.Ambiguous => 2,
        _ => 1,
    };

    /// <summary>Splits a PascalCase name into words: "SMSSent" -> SMS, Sent; "OAuth2Granted" -> O, Auth, 2, Granted.</summary>
    public static List<string> SplitWords(string name)
    {
        var words = new List<string>();
        var start = 0;
        for (var i = 1; i < name.Length; i++)
        {
            var previous = name[i - 1];
            var current = name[i];
            var boundary =
                (char.IsUpper(current) && (char.IsLower(previous) || char.IsDigit(previous)))
                || (char.IsUpper(current) && char.IsUpper(previous) && i + 1 < name.Length && char.IsLower(name[i + 1]))
                || (char.IsDigit(current) && !char.IsDigit(previous))
                || (!char.IsDigit(current) && char.IsDigit(previous));
            if (boundary)
            {
                words.Add(name.Substring(start, i - start));
                start = i;
            }
        }

        words.Add(name.Substring(start));
        return words;
    }

    /// <summary>
    /// The base form of the verb at <paramref name="index"/>, or null. A <see cref="VerbKind.NounFirst"/> word counts only
    /// before a particle (LogIn, CheckOut), an <see cref="VerbKind.Ambiguous"/> one only in a name of several words.
    /// </summary>
    private static string? GetVerbAt(List<string> words, int index, bool followedByParticle, bool allowThirdPerson)
    {
        var word = words[index];
        var kind = VerbLexicon.GetKind(word);
        var baseForm = word;
        if (kind == VerbKind.None && allowThirdPerson && VerbLexicon.GetBaseOfThirdPerson(word) is { } stem)
        {
            baseForm = stem;
            kind = VerbLexicon.GetKind(stem);
        }

        return kind switch
        {
            VerbKind.Verb => baseForm,
            VerbKind.Ambiguous when followedByParticle || words.Count > 1 => baseForm,
            VerbKind.NounFirst when followedByParticle => baseForm,
            _ => null,
        };
    }

    /// <summary>
    /// "CreateOrder" -> "OrderCreated"; "LogInUser" -> "UserLoggedIn"; "AddItemToCart" -> "ItemAddedToCart";
    /// "SwitchToDarkMode" -> "SwitchedToDarkMode".
    /// </summary>
    private static string? MoveImperativeVerb(List<string> words, string verb)
    {
        var past = Capitalize(VerbLexicon.GetPastParticiple(verb));
        var builder = new StringBuilder();
        if (words.Count >= 3 && Particles.Contains(words[1]))
        {
            for (var i = 2; i < words.Count; i++)
            {
                builder.Append(words[i]);
            }

            return builder.Append(past).Append(words[1]).ToString();
        }

        var preposition = -1;
        for (var i = 1; i < words.Count; i++)
        {
            if (Prepositions.Contains(words[i]))
            {
                preposition = i;
                break;
            }
        }

        if (preposition == 1)
        {
            if (VerbLexicon.GetKind(verb) != VerbKind.Verb)
            {
                return null; // "EndOfDay", "ReturnToSender": a noun as likely as a verb
            }

            builder.Append(past);
            for (var i = 1; i < words.Count; i++)
            {
                builder.Append(words[i]);
            }

            return builder.ToString();
        }

        var objectEnd = preposition > 1 ? preposition : words.Count;
        for (var i = 1; i < objectEnd; i++)
        {
            builder.Append(words[i]);
        }

        builder.Append(past);
        for (var i = objectEnd; i < words.Count; i++)
        {
            builder.Append(words[i]);
        }

        return builder.ToString();
    }

    private static string Capitalize(string word)
        => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word.Substring(1);
}
