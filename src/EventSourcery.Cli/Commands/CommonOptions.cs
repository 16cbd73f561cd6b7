using System.CommandLine;
using System.CommandLine.Parsing;

namespace EventSourcery.Cli.Commands;

/// <summary>The arguments and options several commands share, each made anew for the command that shows it.</summary>
internal static class CommonOptions
{
    public static Argument<string> File() => new("file")
    {
        Description = "The store: its SQLite database file, or a PostgreSQL connection string (\"Host=…;Database=…;Username=…\").",
    };

    public static Option<string?> Schema() => new("--schema")
    {
        Description = "The PostgreSQL schema the store's tables are in (PostgreSqlEventStoreOptions.Schema; public by default).",
        HelpName = "schema",
    };

    public static Option<bool> Json() => new("--json") { Description = "Write JSON for scripts instead of tables." };

    public static Option<string?> Tenant()
    {
        var option = new Option<string?>("--tenant")
        {
            Description = "The tenant view to look at (ForTenant(...) in the application); the default view without it.",
            HelpName = "tenant",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } tenant)
            {
                try
                {
                    TenantId.Validate(tenant);
                }
                catch (ArgumentException ex)
                {
                    result.AddError(ex.Message);
                }
            }
        });
        return option;
    }

    public static Option<int> BusyTimeout()
    {
        var option = new Option<int>("--busy-timeout")
        {
            Description = "How long to wait, in milliseconds, while another connection holds the database's lock.",
            HelpName = "ms",
            DefaultValueFactory = _ => 5000,
        };
        option.Validators.Add(result => NotNegative(result, "--busy-timeout"));
        return option;
    }

    public static Option<int> Take(int defaultValue)
    {
        var option = new Option<int>("--take")
        {
            Description = "The most rows to show.",
            HelpName = "count",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--take must be at least 1.");
            }
        });
        return option;
    }

    public static Option<long> Position(string name, string description)
    {
        var option = new Option<long>(name) { Description = description, HelpName = "position" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 0)
            {
                result.AddError($"{name} cannot be negative.");
            }
        });
        return option;
    }

    /// <summary>The view's tenant id as stored: '' for the default view.</summary>
    public static string StoredTenant(string? tenant) => tenant ?? "";

    private static void NotNegative(OptionResult result, string name)
    {
        if (result.GetValueOrDefault<int>() < 0)
        {
            result.AddError($"{name} cannot be negative.");
        }
    }
}
