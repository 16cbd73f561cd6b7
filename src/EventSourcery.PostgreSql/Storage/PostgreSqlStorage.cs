using System.Data.Common;
using EventSourcery.Relational.Schema;
using EventSourcery.Relational.Storage;
using Npgsql;

namespace EventSourcery.PostgreSql.Storage;

/// <summary>
/// Every piece of PostgreSQL-specific SQL the store runs, against the tables of one schema, and the meaning of
/// PostgreSQL's errors. All values are bound as parameters; the schema is quoted as an identifier once, here. The logic
/// around the statements is <see cref="RelationalEventStore"/>'s, the same for every provider.
/// </summary>
/// <remarks>
/// Gap safety: positions come from an identity column, and PostgreSQL hands them out when a row is inserted, not when
/// its transaction commits, so two appends can commit out of position order and a reader could pass a position that
/// commits later. Each append (and delete) therefore holds <see cref="AppendLock"/> (a transaction-scoped advisory
/// lock, one per schema) <em>shared</em> from before it takes a position until it commits, so appends still run side
/// by side; a global read (<see cref="ReadAllPageAsync"/>) reads the highest committed position, takes the lock
/// exclusively for a moment (waiting for the appends in flight), and reads only up to that position. See
/// docs/decisions/0012.
/// </remarks>
internal sealed partial class PostgreSqlStorage : RelationalStorage
{
    /// <summary>Events per page of the paged reads (a literal in their SQL, plus one to tell whether another page follows).</summary>
    internal const int PageSize = 500;

    /// <summary>
    /// Events per page of a stream's reads (a literal in their SQL, plus one). Larger than <see cref="PageSize"/>: a
    /// stream read takes no lock and its pages are bounded by <see cref="RelationalEventStoreOptions.PageBytes"/> too, so
    /// loading an aggregate of a few thousand events is one round trip.
    /// </summary>
    internal const int StreamPageSize = 4096;

    private const string UniqueViolation = "23505";

    private readonly string _streams;
    private readonly string _events;
    private readonly string _outbox;
    private readonly string _snapshots;
    private readonly string _checkpoints;
    private readonly string _leases;
    private readonly string _subjectKeys;

    /// <summary>The statements over the tables in <paramref name="schema"/>.</summary>
    public PostgreSqlStorage(string schema)
    {
        Schema = schema;
        var quoted = Quote(schema);
        _streams = $"{quoted}.{Tables.Streams}";
        _events = $"{quoted}.{Tables.Events}";
        _outbox = $"{quoted}.{Tables.Outbox}";
        _snapshots = $"{quoted}.{Tables.Snapshots}";
        _checkpoints = $"{quoted}.{Tables.Checkpoints}";
        _leases = $"{quoted}.{Tables.ProjectionLeases}";
        _subjectKeys = $"{quoted}.{Tables.SubjectKeys}";
        AppendLock = LockKey("eventsourcery:append:" + schema); // the eventsourcery tool's tail computes the same key (TailCommand.SafeBound)
        ClaimLock = LockKey("eventsourcery:outbox:" + schema);
        SchemaLock = LockKey("eventsourcery:schema:" + schema);
        InitializeEventStatements();
        InitializeOutboxStatements();
    }

    /// <summary>The schema of the store's tables.</summary>
    public string Schema { get; }

    /// <summary>The advisory lock every append and delete holds shared from its read of the stream until it commits, and a global read takes exclusively for a moment (gap safety).</summary>
    public long AppendLock { get; }

    /// <summary>The advisory lock an outbox claim of the default view holds (see <see cref="ClaimLockFor"/>).</summary>
    public long ClaimLock { get; }

    /// <summary>
    /// The advisory lock an outbox claim of <paramref name="tenantId"/>'s view holds: claims of one tenant take turns, so
    /// two runners never split a stream; claims of different tenants, whose entries never meet, run side by side.
    /// </summary>
    public long ClaimLockFor(string tenantId) => tenantId.Length == 0 ? ClaimLock : LockKey("eventsourcery:outbox:" + Schema + ":" + tenantId);

    /// <summary>The advisory lock that creating the schema holds: two processes creating it at once take turns.</summary>
    public long SchemaLock { get; }

    /// <inheritdoc />
    public override string DbSystem => "postgresql";

    /// <inheritdoc />
    public override bool IsServer => true;

    /// <inheritdoc />
    /// <remarks>To the microsecond, in UTC: what a <c>timestamptz</c> column keeps.</remarks>
    public override DateTimeOffset StoredInstant(DateTimeOffset now) => ColumnLayout.ToMicroseconds(now);

    /// <inheritdoc />
    public override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: UniqueViolation };

    /// <inheritdoc />
    public override bool IsEventIdViolation(DbException exception)
        => exception is PostgresException { SqlState: UniqueViolation } ex && ex.ConstraintName == Tables.EventIdIndex;

    /// <summary>
    /// The transaction was rolled back and running it again may succeed: a serialization failure or a deadlock, the
    /// server shutting down or restarting (the pool's connections to it are dead: the next one is new), or a broken
    /// connection. A write whose commit was cut off may have committed: an append run again finds its own events and
    /// returns their result (decision 0008).
    /// </summary>
    public static bool IsRetryable(Exception exception)
        => exception switch
        {
            PostgresException pg => pg.SqlState is "40001" or "40P01" or "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
            NpgsqlException npgsql => npgsql.IsTransient,
            _ => false,
        };

    /// <summary>The server refuses writes: a hot standby, or <c>default_transaction_read_only</c>.</summary>
    public static bool IsReadOnly(Exception exception) => exception is PostgresException { SqlState: "25006" };

    /// <summary>A lock was not granted in time (<c>lock_timeout</c>) or a statement ran past <c>statement_timeout</c>.</summary>
    public static bool IsBusy(Exception exception) => exception is PostgresException { SqlState: "55P03" or "57014" };

    /// <summary>A statement named a table of the store that the database does not have (dropped since it was found).</summary>
    public static bool IsMissingSchema(Exception exception) => exception is PostgresException { SqlState: "42P01" or "3F000" };

    /// <summary>An identifier in double quotes, with any double quote in it doubled.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A stable 64-bit advisory lock key for <paramref name="name"/> (FNV-1a over its UTF-8 bytes), the same in every process.</summary>
    private static long LockKey(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    private static string? TextOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static byte[]? BytesOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<byte[]>(ordinal);

    private static StoredValue GuidOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? default : reader.GetGuid(ordinal);

    private static StoredValue TimeOrNull(NpgsqlDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? default : new DateTimeOffset(reader.GetFieldValue<DateTime>(ordinal).Ticks, TimeSpan.Zero);

    /// <summary>
    /// An event's creation time from <c>created_at</c> at <paramref name="ordinal"/> and the <see cref="PackedHeader"/>
    /// after it (the ticks below the microsecond and the offset, see <see cref="ColumnLayout"/>), and its schema version
    /// from the same value (0 when it is NULL). Columns out of range become a value that fails when the row is
    /// materialized, naming it.
    /// </summary>
    /// <remarks>
    /// Each column is checked for NULL just before it is read, in column order: a buffered Npgsql row read out of
    /// column order seeks back through the row from its start.
    /// </remarks>
    private static StoredValue CreatedAt(NpgsqlDataReader reader, int ordinal, out int schemaVersion)
    {
        DateTime? utc = reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTime>(ordinal);
        if (reader.IsDBNull(ordinal + 1))
        {
            schemaVersion = 0;
            return default;
        }

        var packed = reader.GetInt64(ordinal + 1);
        schemaVersion = PackedHeader.SchemaVersion(packed);
        if (utc is not { } time)
        {
            return default;
        }

        try
        {
            return ColumnLayout.Join(time, PackedHeader.Ticks(packed), PackedHeader.OffsetMinutes(packed));
        }
        catch (FormatException ex)
        {
            return StoredValue.Invalid(ex.Message);
        }
    }

    private static void AddStreamKey(NpgsqlCommand command, StreamKey stream)
    {
        command.Parameters.AddWithValue("tenant", stream.TenantId);
        command.Parameters.AddWithValue("category", stream.Category);
        command.Parameters.AddWithValue("stream_id", stream.StreamGuid);
    }
}
