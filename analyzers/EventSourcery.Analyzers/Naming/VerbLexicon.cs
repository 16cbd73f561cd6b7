using System;
using System.Collections.Generic;

namespace EventSourcery.Analyzers.Naming;

/// <summary>How confidently a word can be read as the verb of an event name.</summary>
internal enum VerbKind
{
    /// <summary>Not a known verb.</summary>
    None,

    /// <summary>A verb that is mostly a noun in type names (<c>Order</c>, <c>Email</c>, <c>Report</c>): a verb only when a particle follows it.</summary>
    NounFirst,

    /// <summary>
    /// A word as often a noun as a verb (<c>Place</c>, <c>Book</c>, <c>Refund</c>): a verb as the first or last word of a
    /// longer name (PlaceOrder, OrderRefund), not as a name on its own (Refund).
    /// </summary>
    Ambiguous,

    /// <summary>A word that reads as a verb (<c>Create</c>, <c>Ship</c>, <c>Send</c>).</summary>
    Verb,
}

/// <summary>
/// The English the past-tense rule (ES0003) needs: present-tense verbs common in event names, their past participles,
/// the irregular past forms and the words ending in "ed" that are not past forms.
/// </summary>
internal static class VerbLexicon
{
    // Irregular verbs: "base/past/participle", several forms separated by '|'. A leading '*' marks a verb that is mostly
    // a noun in type names (NounFirst). The participle is the suggested form (TaskBegun, FundsWithdrawn).
    private const string Irregular =
        "arise/arose/arisen awake/awoke/awoken *bear/bore/borne beat/beat/beaten become/became/become befall/befell/befallen " +
        "begin/began/begun behold/beheld/beheld bend/bent/bent bet/bet/bet *bid/bid/bid bind/bound/bound *bite/bit/bitten " +
        "bleed/bled/bled *blow/blew/blown *break/broke/broken breed/bred/bred bring/brought/brought broadcast/broadcast/broadcast " +
        "*build/built/built burst/burst/burst buy/bought/bought *cast/cast/cast *catch/caught/caught choose/chose/chosen " +
        "cling/clung/clung come/came/come *cost/cost/cost creep/crept/crept *cut/cut/cut *deal/dealt/dealt *dig/dug/dug " +
        "*do/did/done *draw/drew/drawn *drink/drank/drunk drive/drove/driven eat/ate/eaten *fall/fell/fallen *feed/fed/fed " +
        "feel/felt/felt *fight/fought/fought find/found/found fit/fit/fit flee/fled/fled fling/flung/flung fly/flew/flown " +
        "forbid/forbade/forbidden forecast/forecast/forecast foresee/foresaw/foreseen foretell/foretold/foretold " +
        "forget/forgot/forgotten forgive/forgave/forgiven forgo/forwent/forgone freeze/froze/frozen get/got/gotten|got " +
        "give/gave/given *go/went/gone grind/ground/ground grow/grew/grown hang/hung/hung *have/had/had hear/heard/heard " +
        "hide/hid/hidden *hit/hit/hit hold/held/held hurt/hurt/hurt input/input/input keep/kept/kept kneel/knelt/knelt " +
        "know/knew/known lay/laid/laid *lead/led/led *leave/left/left lend/lent/lent let/let/let lose/lost/lost " +
        "make/made/made *mean/meant/meant meet/met/met mislay/mislaid/mislaid mislead/misled/misled misread/misread/misread " +
        "mistake/mistook/mistaken misunderstand/misunderstood/misunderstood offset/offset/offset outbid/outbid/outbid " +
        "outdo/outdid/outdone outgrow/outgrew/outgrown output/output/output outrun/outran/outrun outsell/outsold/outsold " +
        "overcome/overcame/overcome overdo/overdid/overdone overdraw/overdrew/overdrawn overhear/overheard/overheard " +
        "overlay/overlaid/overlaid overpay/overpaid/overpaid override/overrode/overridden overrun/overran/overrun " +
        "oversee/oversaw/overseen oversell/oversold/oversold overspend/overspent/overspent overtake/overtook/overtaken " +
        "overthrow/overthrew/overthrown overwrite/overwrote/overwritten partake/partook/partaken pay/paid/paid " +
        "prepay/prepaid/prepaid preset/preset/preset prove/proved/proven put/put/put quit/quit/quit read/read/read " +
        "rebind/rebound/rebound rebuild/rebuilt/rebuilt recast/recast/recast redo/redid/redone remake/remade/remade " +
        "repay/repaid/repaid reread/reread/reread rerun/reran/rerun resell/resold/resold resend/resent/resent " +
        "reset/reset/reset retake/retook/retaken retell/retold/retold rethink/rethought/rethought rewind/rewound/rewound " +
        "rewrite/rewrote/rewritten rid/rid/rid *ride/rode/ridden *ring/rang/rung rise/rose/risen *run/ran/run say/said/said " +
        "see/saw/seen seek/sought/sought sell/sold/sold send/sent/sent set/set/set sew/sewed/sewn *shake/shook/shaken " +
        "shed/shed/shed *shine/shone/shone *shoot/shot/shot *show/showed/shown shrink/shrank/shrunk shut/shut/shut " +
        "sing/sang/sung *sink/sank/sunk sit/sat/sat *sleep/slept/slept *slide/slid/slid sling/slung/slung slit/slit/slit " +
        "speak/spoke/spoken *speed/sped/sped spend/spent/spent *spin/spun/spun *spit/spat/spat split/split/split " +
        "*spread/spread/spread *spring/sprang/sprung *stand/stood/stood steal/stole/stolen *stick/stuck/stuck " +
        "*sting/stung/stung *stink/stank/stunk *stride/strode/stridden *strike/struck/struck *string/strung/strung " +
        "strive/strove/striven sublet/sublet/sublet swear/swore/sworn *sweep/swept/swept *swell/swelled/swollen " +
        "swim/swam/swum *swing/swung/swung take/took/taken teach/taught/taught *tear/tore/torn telecast/telecast/telecast " +
        "tell/told/told think/thought/thought throw/threw/thrown *thrust/thrust/thrust *tread/trod/trodden " +
        "typeset/typeset/typeset unbind/unbound/unbound undergo/underwent/undergone underpay/underpaid/underpaid " +
        "understand/understood/understood undertake/undertook/undertaken undo/undid/undone unfreeze/unfroze/unfrozen " +
        "unwind/unwound/unwound uphold/upheld/upheld upset/upset/upset *wake/woke/woken *wear/wore/worn *weave/wove/woven " +
        "wed/wed/wed weep/wept/wept *win/won/won *wind/wound/wound withdraw/withdrew/withdrawn withhold/withheld/withheld " +
        "withstand/withstood/withstood wring/wrung/wrung write/wrote/written";

    // Past forms accepted although the suggestion uses the regular form (learned/learnt, burned/burnt...).
    private const string AlsoPast = "burnt dreamt dwelt knelt leant leapt learnt smelt spelt spilt spoilt lit";

    // Regular verbs. '*' marks NounFirst, '~' Ambiguous, a trailing '+' doubles the final consonant (ship -> shipped).
    private const string Regular =
        "abandon accept *access accrue achieve acknowledge acquire activate adapt add adjust admit+ adopt advance " +
        "advise affirm agree *alert allocate allot+ allow alter amend analyse analyze annotate announce anonymize " +
        "~answer append apply appoint approve ~archive arrange arrive ask assemble assess assign assist associate " +
        "attach *attempt attend attract ~audit authenticate authorise authorize avoid await bake ban+ *bill bless " +
        "*block ~book *bookmark boost boot borrow bounce *brand browse *budget bump burn calculate calibrate *call " +
        "cancel+ capture *cash categorize certify *challenge change *channel+ *charge charter+ chat+ ~check cite " +
        "*claim clean clear click clip+ *clone close *coach *code collapse collect combine ~comment commission commit+ " +
        "communicate compare compel+ compensate compile complain complete comply compose compress compute conclude " +
        "conduct confer+ configure confirm connect *consent consider consolidate consume *contact contest continue " +
        "contribute *control+ convene convert cook ~copy correct *count *cover *crash *crawl create *credit crop+ " +
        "curate customize *damage deactivate *debit decide decline decrease decrypt deduct deem default defend defer+ " +
        "define ~delay delegate delete delist deliver *demand demolish demote deny depart deploy ~deposit deprecate " +
        "dequeue describe deserialize *design destroy detach detect deter+ determine devalue develop dial+ disable " +
        "disapprove disburse discard discharge disclose disconnect ~discount discover dismiss dispatch *dispute " +
        "disqualify dissolve distribute divert *dock donate *double downgrade download ~draft dream *drift drop+ drown " +
        "*dump duplicate earn edit elapse elect elevate *email embed+ emerge emit+ employ *empty enable encode encrypt " +
        "~end endeavour endorse engage enlist enqueue enrich enrol+ enroll ensure enter entitle equalize equip+ erase " +
        "erupt escalate establish *estimate evacuate evaluate evict evolve examine exceed excel+ ~exchange exclude " +
        "execute exhaust *exit expand expect expel+ expire explain exploit ~export expose *express extend extract fade " +
        "fail *favorite fax fetch *file fill *filter finalise finalize *finance finish *fire fix *flag+ *flash flip+ " +
        "*float *flood flush fold follow *force forfeit *form *format+ *forward freelance *fuel+ fulfil fulfill *fund " +
        "gather govern grade graduate ~grant greet *guarantee guess halt *handle happen *harvest *hash hatch heal " +
        "*heat *help hire *host hover hug+ hurry identify ignore illustrate imagine impersonate implement ~import " +
        "impose imprison improve improvise include incorporate increase increment incur+ *index induct infect inform " +
        "inherit initialize initiate inject innovate inquire insert insist inspect install instruct insure integrate " +
        "intend intercept interrupt *interview introduce invalidate invert invest investigate invite *invoice involve " +
        "irrigate isolate ~issue itemize jog+ join jump kick kidnap+ kill *knock *label+ *land ~launch learn *lease " +
        "*level+ *license *lift *limit *link liquidate *list listen litigate *load *loan localize locate ~lock lodge " +
        "*log+ *loop *mail maintain manage *mandate manufacture *map+ *mark *match maximize *measure mention merge " +
        "*message migrate mimic minimize mint *mirror miss mitigate *model+ moderate modify *monitor mop+ motivate " +
        "~move multiply mute *name nationalize navigate negotiate nod+ nominate normalize notify nullify observe " +
        "obtain occupy occur+ ~offer offload omit+ onboard open operate opt *order overhaul oversee own *pack *paint " +
        "pair panic *park parse participate *pass paste *patch ~pause perform *permit+ persist pick picnic *pin+ " +
        "*pitch ~place plan+ *play please pledge *plug+ plunge *poll *pop+ populate possess *post postpone pour " +
        "*practice practise praise pray preach predict prefer+ preload prepare prescribe *present preserve *press " +
        "*pressure prevail prevent *preview *price ~print prioritize proceed ~process proclaim procure produce " +
        "*profile *program+ *progress prohibit *project prolong *promise promote *prompt propel+ propose prosecute " +
        "protect provide *provision provoke prune publish *pull ~purchase purge purify pursue *push qualify quarantine " +
        "*query *queue quiz+ *quote *rain raise *rank *rate reach react reactivate reassign rebalance *rebate rebook " +
        "rebut+ recalculate recall receive recharge reclaim recommend reconcile reconnect *record recover recruit " +
        "recur+ recycle redact redeem redirect redistribute reduce reenable refer+ refill refine reformat+ refresh " +
        "refuel+ ~refund refuse regain regenerate register regret+ reimburse reinstate reject ~release reload relocate " +
        "rely remain remediate remind remit+ remove rename renegotiate renew *rent reopen reorder reorganize repackage " +
        "~repair repeat repel+ replace replay replenish ~reply *report represent reprice reprocess republish " +
        "repurchase ~request require reroute reschedule rescind rescue *research reserve reship+ resign resize resolve " +
        "respond restart restock restore restrict resubmit+ resubscribe resume retain retire retract retrieve retry " +
        "~return reunite revalidate reveal reverse revert ~review revise revisit revive revoke *reward rinse rip+ roam " +
        "rob+ *roll rotate *route rub+ salvage *sample sanitize satisfy save scale scan+ ~schedule *score scrap+ " +
        "scrape *screen *script *seal *search *seat secure seize select separate serve settle *shape ~share ship+ " +
        "shortlist shuffle ~sign *signal+ sip+ *sketch skip+ slam+ slash smile *snap+ snooze solve *sort specify " +
        "*sponsor stab+ stabilize *stack *staff *stage *stamp start *state steer *step+ stir+ stop+ *store *stream " +
        "strengthen stretch strip+ *study submit+ subscribe *substitute subtract succeed suggest summarize supervise " +
        "*supply *support surrender *survey suspect suspend sustain swap+ swipe switch sync synchronize *tag+ *talk " +
        "tally *tap+ *taste terminate *test *text thank thaw *tick *tip+ toggle tolerate *top+ *total+ touch *trace " +
        "*track *trade *traffic train transcribe transfer+ transform *transition translate transmit+ *transport " +
        "*travel+ *treat *trigger trim+ *trip+ *trust tug+ tunnel+ turn tweet *type unarchive unassign unban+ unblock " +
        "undelete unenroll unfollow unfreeze unhide uninstall unlink unload unlock unmap+ unmark unmute unpack unpause " +
        "unpin+ unplug+ unpublish unregister unsubscribe untag+ untrack unwrap+ unzip+ update upgrade upload upsert " +
        "urge *use utilize vacate vaccinate validate vanish vend verify vet+ *veto *view visit *void *vote wait waive " +
        "warn *wash *watch *weigh *welcome whip+ whitelist wipe withdraw *witness *work worship+ wrap+ *yield zip+";

    // Words ending in "ed" that are not past forms.
    private const string NotPast =
        "bed creed deed embed exceed feed greed heed hundred hatred indeed kindred naked need proceed " +
        "red reed sacred seed shed shred sled speed steed succeed ted wed weed wicked bleed breed";

    private static readonly char[] Space = { ' ' };
    private static readonly Dictionary<string, Entry> Verbs = BuildVerbs();
    private static readonly Dictionary<string, bool> PastForms = BuildPastForms();
    private static readonly HashSet<string> NotPastWords = new(Tokens(NotPast), StringComparer.OrdinalIgnoreCase);

    /// <summary>The kind of verb <paramref name="word"/> is in its present (base) form.</summary>
    public static VerbKind GetKind(string word)
        => Verbs.TryGetValue(word, out var entry) ? entry.Kind : VerbKind.None;

    /// <summary>The base form of a third-person present (<c>Ships</c>, <c>Applies</c>, <c>Pushes</c>) of a known verb, or null.</summary>
    public static string? GetBaseOfThirdPerson(string word)
    {
        if (word.Length < 4 || !word.EndsWith("s", StringComparison.OrdinalIgnoreCase) || word.EndsWith("ss", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (word.EndsWith("ies", StringComparison.OrdinalIgnoreCase))
        {
            var y = word.Substring(0, word.Length - 3) + "y";
            return Verbs.ContainsKey(y) ? y : null;
        }

        var withoutS = word.Substring(0, word.Length - 1);
        if (Verbs.ContainsKey(withoutS))
        {
            return withoutS;
        }

        if (word.EndsWith("es", StringComparison.OrdinalIgnoreCase))
        {
            var withoutEs = word.Substring(0, word.Length - 2);
            return Verbs.ContainsKey(withoutEs) ? withoutEs : null;
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="word"/> is a past form: regular ("…ed"), irregular (<c>Sent</c>, <c>Begun</c>) or a form
    /// that is the same in present and past (<c>Read</c>, <c>Set</c>), the latter only when <paramref name="acceptSameAsPresent"/>.
    /// </summary>
    public static bool IsPastForm(string word, bool acceptSameAsPresent)
    {
        if (PastForms.TryGetValue(word, out var sameAsPresent))
        {
            return !sameAsPresent || acceptSameAsPresent;
        }

        return word.Length >= 4
            && word.EndsWith("ed", StringComparison.OrdinalIgnoreCase)
            && !NotPastWords.Contains(word);
    }

    /// <summary>The past participle of the known verb <paramref name="baseForm"/>, in lower case (created, shipped, sent, begun).</summary>
    public static string GetPastParticiple(string baseForm)
    {
        var word = baseForm.ToLowerInvariant();
        if (Verbs.TryGetValue(word, out var entry) && entry.Participle is not null)
        {
            return entry.Participle;
        }

        var doubles = entry?.DoublesFinalConsonant ?? false;
        var last = word[word.Length - 1];
        if (word.EndsWith("ic", StringComparison.Ordinal))
        {
            return word + "ked"; // panic -> panicked
        }

        if (last == 'e')
        {
            return word + "d";
        }

        if (last == 'y' && word.Length > 1 && !IsVowel(word[word.Length - 2]))
        {
            return word.Substring(0, word.Length - 1) + "ied";
        }

        return doubles ? word + last + "ed" : word + "ed";
    }

    private static string[] Tokens(string list) => list.Split(Space, StringSplitOptions.RemoveEmptyEntries);

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    private static Dictionary<string, Entry> BuildVerbs()
    {
        var verbs = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in Tokens(Regular))
        {
            var kind = token[0] switch
            {
                '*' => VerbKind.NounFirst,
                '~' => VerbKind.Ambiguous,
                _ => VerbKind.Verb,
            };
            var marked = kind == VerbKind.Verb ? 0 : 1;
            var doubles = token[token.Length - 1] == '+';
            var word = token.Substring(marked, token.Length - marked - (doubles ? 1 : 0));
            if (!verbs.ContainsKey(word))
            {
                verbs[word] = new Entry(kind, null, doubles);
            }
        }

        foreach (var token in Tokens(Irregular))
        {
            var nounFirst = token[0] == '*';
            var parts = token.Substring(nounFirst ? 1 : 0).Split('/');
            var participle = parts[2].Split('|')[0];
            verbs[parts[0]] = new Entry(nounFirst ? VerbKind.NounFirst : VerbKind.Verb, participle, false);
        }

        return verbs;
    }

    /// <summary>Irregular past forms, each mapped to whether it is also a present form (read, set, run, come).</summary>
    private static Dictionary<string, bool> BuildPastForms()
    {
        var forms = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in Tokens(Irregular))
        {
            var parts = token.TrimStart('*').Split('/');
            foreach (var form in (parts[1] + "|" + parts[2]).Split('|'))
            {
                var sameAsPresent = Verbs.ContainsKey(form);
                forms[form] = (forms.TryGetValue(form, out var previous) && previous) || sameAsPresent;
            }
        }

        foreach (var form in Tokens(AlsoPast))
        {
            if (!forms.ContainsKey(form))
            {
                forms[form] = false;
            }
        }

        return forms;
    }

    private sealed class Entry
    {
        public Entry(VerbKind kind, string? participle, bool doublesFinalConsonant)
        {
            Kind = kind;
            Participle = participle;
            DoublesFinalConsonant = doublesFinalConsonant;
        }

        public VerbKind Kind { get; }

        public string? Participle { get; }

        public bool DoublesFinalConsonant { get; }
    }
}
