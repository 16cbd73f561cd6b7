namespace EventSourcery;

/// <summary>Rules for tenant ids, shared by every store's <see cref="IEventStore.ForTenant"/>.</summary>
public static class TenantId
{
    /// <summary>The longest tenant id accepted.</summary>
    public const int MaxLength = 100;

    /// <summary>Checks that <paramref name="tenantId"/> has 1–100 ASCII letters, digits, '_', '-', '.' or ':'.</summary>
    /// <exception cref="ArgumentException">It is null, empty, whitespace, too long or has another character.</exception>
    public static string Validate(string tenantId)
    {
        if (string.IsNullOrWhiteSpace(tenantId))
        {
            throw new ArgumentException("A tenant id cannot be null, empty or whitespace.", nameof(tenantId));
        }

        if (tenantId.Length > MaxLength)
        {
            throw new ArgumentException($"A tenant id has at most {MaxLength} characters; got {tenantId.Length}.", nameof(tenantId));
        }

        foreach (var c in tenantId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
            {
                throw new ArgumentException($"The tenant id '{tenantId}' has the character '{c}'; only ASCII letters, digits, '_', '-', '.' and ':' are allowed.", nameof(tenantId));
            }
        }

        return tenantId;
    }
}
