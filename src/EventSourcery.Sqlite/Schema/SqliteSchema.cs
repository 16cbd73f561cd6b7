using System.Collections.Immutable;
using EventSourcery.Relational.Schema;

namespace EventSourcery.Sqlite.Schema;

/// <summary>
/// The statements that create the store's tables in SQLite, word for word what EF Core's migrations SQL generator
/// makes of the model <see cref="EventSourceryModelBuilderExtensions.AddEventSourcery(Microsoft.EntityFrameworkCore.ModelBuilder)"/>
/// builds (a test compares them table by table, so the model stays the one source of the schema). A store that owns its
/// connection creates its tables from these, with no EF Core model built at run time: that is what lets it run in a
/// NativeAOT app, where EF Core cannot build a model. A store over a user's context asks EF Core, as before.
/// </summary>
internal static class SqliteSchema
{
    private static readonly ImmutableDictionary<string, ImmutableArray<string>> ByTable = new Dictionary<string, ImmutableArray<string>>
    {
        [Tables.Streams] =
        [
            """
            CREATE TABLE "es_streams" (
                "stream_key" INTEGER NOT NULL CONSTRAINT "PK_es_streams" PRIMARY KEY AUTOINCREMENT,
                "tenant_id" TEXT NOT NULL DEFAULT '',
                "category" TEXT NOT NULL DEFAULT '',
                "stream_id" TEXT NOT NULL,
                "name" TEXT NULL,
                "version" INTEGER NOT NULL
            );
            """,
            """CREATE UNIQUE INDEX "ux_es_streams_identity" ON "es_streams" ("tenant_id", "category", "stream_id");""",
        ],
        [Tables.Events] =
        [
            """
            CREATE TABLE "es_events" (
                "position" INTEGER NOT NULL CONSTRAINT "PK_es_events" PRIMARY KEY AUTOINCREMENT,
                "stream_key" INTEGER NOT NULL,
                "tenant_id" TEXT NOT NULL DEFAULT '',
                "version" INTEGER NOT NULL,
                "event_id" TEXT NOT NULL,
                "event_name" TEXT NOT NULL,
                "schema_version" INTEGER NOT NULL,
                "payload" TEXT NOT NULL,
                "metadata" TEXT NULL,
                "created_at" TEXT NOT NULL,
                "recorded_at" TEXT NOT NULL,
                CONSTRAINT "FK_es_events_es_streams_stream_key" FOREIGN KEY ("stream_key") REFERENCES "es_streams" ("stream_key") ON DELETE RESTRICT
            );
            """,
            """CREATE INDEX "ix_es_events_tenant_position" ON "es_events" ("tenant_id", "position");""",
            """CREATE UNIQUE INDEX "ux_es_events_event_id" ON "es_events" ("event_id");""",
            """CREATE UNIQUE INDEX "ux_es_events_stream_version" ON "es_events" ("stream_key", "version");""",
        ],
        [Tables.Outbox] =
        [
            """
            CREATE TABLE "es_outbox" (
                "id" INTEGER NOT NULL CONSTRAINT "PK_es_outbox" PRIMARY KEY AUTOINCREMENT,
                "position" INTEGER NOT NULL,
                "tenant_id" TEXT NOT NULL DEFAULT '',
                "category" TEXT NOT NULL DEFAULT '',
                "stream_id" TEXT NOT NULL,
                "stream_name" TEXT NULL,
                "version" INTEGER NOT NULL,
                "event_id" TEXT NOT NULL,
                "event_name" TEXT NOT NULL,
                "schema_version" INTEGER NOT NULL,
                "payload" TEXT NOT NULL,
                "metadata" TEXT NULL,
                "created_at" TEXT NOT NULL,
                "recorded_at" TEXT NOT NULL,
                "attempts" INTEGER NOT NULL DEFAULT 0,
                "last_error" TEXT NULL,
                "retry_at" INTEGER NULL,
                "dead_lettered_at" TEXT NULL,
                "claimed_by" TEXT NULL,
                "lease_until" INTEGER NULL
            );
            """,
            """CREATE INDEX "ix_es_outbox_dead_letters" ON "es_outbox" ("tenant_id", "id") WHERE dead_lettered_at IS NOT NULL;""",
            """CREATE INDEX "ix_es_outbox_held" ON "es_outbox" ("tenant_id", "category", "stream_id") WHERE dead_lettered_at IS NOT NULL OR retry_at IS NOT NULL OR claimed_by IS NOT NULL;""",
            """CREATE INDEX "ix_es_outbox_tenant" ON "es_outbox" ("tenant_id", "id", "category", "stream_id");""",
        ],
        [Tables.Snapshots] =
        [
            """
            CREATE TABLE "es_snapshots" (
                "stream_key" INTEGER NOT NULL CONSTRAINT "PK_es_snapshots" PRIMARY KEY,
                "version" INTEGER NOT NULL,
                "event_id" TEXT NOT NULL,
                "type" TEXT NOT NULL,
                "fingerprint" TEXT NOT NULL,
                "payload" BLOB NOT NULL,
                "taken_at" TEXT NOT NULL,
                CONSTRAINT "FK_es_snapshots_es_streams_stream_key" FOREIGN KEY ("stream_key") REFERENCES "es_streams" ("stream_key") ON DELETE CASCADE
            );
            """,
        ],
        [Tables.Checkpoints] =
        [
            """
            CREATE TABLE "es_checkpoints" (
                "tenant_id" TEXT NOT NULL,
                "name" TEXT NOT NULL,
                "position" INTEGER NOT NULL,
                "updated_at" TEXT NOT NULL,
                CONSTRAINT "PK_es_checkpoints" PRIMARY KEY ("tenant_id", "name")
            );
            """,
        ],
        [Tables.ProjectionLeases] =
        [
            """
            CREATE TABLE "es_projection_leases" (
                "tenant_id" TEXT NOT NULL,
                "name" TEXT NOT NULL,
                "owner" TEXT NOT NULL,
                "lease_until" INTEGER NOT NULL,
                CONSTRAINT "PK_es_projection_leases" PRIMARY KEY ("tenant_id", "name")
            );
            """,
        ],
        [Tables.SubjectKeys] =
        [
            """
            CREATE TABLE "es_subject_keys" (
                "tenant_id" TEXT NOT NULL,
                "subject" TEXT NOT NULL,
                "generation" INTEGER NOT NULL,
                "key" BLOB NULL,
                CONSTRAINT "PK_es_subject_keys" PRIMARY KEY ("tenant_id", "subject")
            );
            """,
        ],
    }.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The statements that create <paramref name="table"/> and its indexes.</summary>
    public static ImmutableArray<string> For(string table) => ByTable[table];

    /// <summary>The statements that create <paramref name="tables"/>, in creation order (<see cref="Tables.All"/>).</summary>
    public static IReadOnlyList<string> CreateStatements(IReadOnlySet<string> tables)
        => Tables.All.Where(tables.Contains).SelectMany(table => ByTable[table]).ToList();
}
