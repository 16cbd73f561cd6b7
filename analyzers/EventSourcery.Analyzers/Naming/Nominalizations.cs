using System;
using System.Collections.Generic;

namespace EventSourcery.Analyzers.Naming;

/// <summary>
/// Nouns that hide a verb (<c>AccountClosure</c>, <c>PaymentSubmission</c>, <c>UserSignup</c>), and noun compounds that
/// end in a word that is also a verb but are names of things (<c>MarketShare</c>, <c>PullRequest</c>). ES0003 suggests
/// the past tense of the first (<c>AccountClosed</c>) and leaves the second alone.
/// </summary>
internal static class Nominalizations
{
    // "noun=verb" or "noun=verb_particle": the noun, then the verb whose past tense names the event.
    private const string Verbs =
        "acceptance=accept activation=activate addition=add allocation=allocate approval=approve arrival=arrive " +
        "assignment=assign authorisation=authorise authorization=authorize cancelation=cancel cancellation=cancel " +
        "checkout=check_out closure=close completion=complete confirmation=confirm creation=create deactivation=deactivate " +
        "deletion=delete delivery=deliver departure=depart deployment=deploy discovery=discover dismissal=dismiss " +
        "enrollment=enroll enrolment=enrol expiration=expire expiry=expire failure=fail insertion=insert " +
        "installation=install login=log_in logout=log_out modification=modify payment=pay placement=place " +
        "publication=publish recovery=recover refusal=refuse registration=register rejection=reject removal=remove " +
        "renewal=renew reservation=reserve reversal=reverse shipment=ship signin=sign_in signout=sign_out " +
        "signup=sign_up submission=submit subscription=subscribe suspension=suspend termination=terminate " +
        "verification=verify withdrawal=withdraw";

    // The last two words of names that are things, not facts, though their last word is also a verb.
    private const string Compounds =
        "ChangeRequest CodeReview FeatureRequest MarketShare MergeRequest PeerReview ProductReturn PullRequest " +
        "SupportRequest TaxReturn TimeShare";

    private static readonly Dictionary<string, (string Verb, string? Particle)> ByNoun = Load();

    private static readonly HashSet<string> NounCompounds = new(Compounds.Split(' '), StringComparer.OrdinalIgnoreCase);

    /// <summary>The verb (and particle) a noun names the act of, or false when it is not one of them.</summary>
    public static bool TryGetVerb(string noun, out string verb, out string? particle)
    {
        if (ByNoun.TryGetValue(noun, out var found))
        {
            (verb, particle) = found;
            return true;
        }

        (verb, particle) = (string.Empty, null);
        return false;
    }

    /// <summary>Whether the two words, together, name a thing (<c>Pull</c> + <c>Request</c>).</summary>
    public static bool IsNounCompound(string first, string second) => NounCompounds.Contains(first + second);

    private static Dictionary<string, (string, string?)> Load()
    {
        var byNoun = new Dictionary<string, (string, string?)>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Verbs.Split(' '))
        {
            var parts = entry.Split('=');
            var verb = parts[1].Split('_');
            byNoun[parts[0]] = (verb[0], verb.Length > 1 ? verb[1] : null);
        }

        return byNoun;
    }
}
