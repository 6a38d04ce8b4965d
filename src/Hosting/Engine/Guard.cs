using System.Text;

namespace BlockStore.Engine;

/// <summary>Argument checks of the public API: every refusal names the parameter and happens before any state changes.</summary>
internal static class Guard
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Checks an id: not null, empty or whitespace, at most 256 UTF-8 bytes, no control characters, valid UTF-16.</summary>
    public static void Id(string? id, string paramName) => Id(id, paramName, batchItem: -1, field: null, index: -1);

    /// <summary>Checks an id that is <paramref name="field"/> (indexed when <paramref name="index"/> is not negative) of a batch item or argument.</summary>
    /// <returns>The id's UTF-8 length, so nothing encodes it again just to measure it.</returns>
    private static int Id(string? id, string paramName, int batchItem, string? field, int index)
    {
        if (id is null)
        {
            throw new ArgumentNullException(paramName, $"{Describe(paramName, batchItem, field, index)} must not be null.");
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"{Describe(paramName, batchItem, field, index)} must not be empty or whitespace.", paramName);
        }

        // char.IsControl's two ranges, searched vectorised.
        if (id.AsSpan().ContainsAnyInRange('\u0000', '\u001F') || id.AsSpan().ContainsAnyInRange('\u007F', '\u009F'))
        {
            throw new ArgumentException($"{Describe(paramName, batchItem, field, index)} must not contain control characters.", paramName);
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(id);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{Describe(paramName, batchItem, field, index)} is not valid Unicode (unpaired surrogate).", paramName);
        }

        if (bytes > BlockStoreLimits.MaxIdBytes)
        {
            throw new ArgumentException($"{Describe(paramName, batchItem, field, index)} is {bytes} UTF-8 bytes; at most {BlockStoreLimits.MaxIdBytes} are allowed.", paramName);
        }

        return bytes;
    }

    /// <summary>What a batch item's field names start with in a message: <c>batch[3].</c>, or nothing outside a batch; called only on failure.</summary>
    private static string Owner(int batchItem) => batchItem < 0 ? "" : $"batch[{batchItem}].";

    /// <summary>Names the checked value in a message, e.g. <c>batch[3].UserIds[1]</c> or <c>userIds[0]</c>; called only on failure.</summary>
    private static string Describe(string paramName, int batchItem, string? field, int index)
    {
        string name = batchItem < 0 ? field ?? paramName : $"batch[{batchItem}].{field}";
        return index < 0 ? name : $"{name}[{index}]";
    }

    public static void Limit(int limit, string paramName = "limit")
    {
        if (limit <= 0)
        {
            throw new ArgumentOutOfRangeException(paramName, limit, "The limit must be positive.");
        }
    }

    public static void SeqId(long seqId, string paramName)
    {
        if (seqId < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, seqId, "A SeqId must not be negative.");
        }
    }

    /// <summary>Validates an edit or delete and returns the request the writer turns into its event, with an owned copy of the new body.</summary>
    public static PendingMessage Change(string convId, long seqId, MessageKind kind, ReadOnlyMemory<byte> data, BlockStoreOptions options)
    {
        Id(convId, nameof(convId));
        if (seqId <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(seqId), seqId, "A message's SeqId is positive.");
        }

        if (kind == MessageKind.Edit && data.IsEmpty)
        {
            throw new ArgumentException("An edit needs a body; delete the message instead.", nameof(data));
        }

        if (data.Length > options.MaxMessageBytes)
        {
            throw new ArgumentException($"data is {data.Length} bytes; BlockStore:MaxMessageBytes allows {options.MaxMessageBytes}.", nameof(data));
        }

        return new PendingMessage(convId, 0, data.ToArray(), []) { Kind = kind, TargetSeqId = seqId };
    }

    /// <summary>A retention age in whole milliseconds (0 for none): positive, at most 100 years.</summary>
    public static long MaxAge(TimeSpan? maxAge, string paramName)
    {
        if (maxAge is not { } age)
        {
            return 0;
        }

        if (age < TimeSpan.FromMilliseconds(1) || age > TimeSpan.FromDays(36_525))
        {
            throw new ArgumentOutOfRangeException(paramName, age, "A retention must be at least 1 millisecond and at most 100 years.");
        }

        return (long)age.TotalMilliseconds;
    }

    /// <summary>Checks a requested CreatedAt of <c>batch[index]</c> and returns it in Unix milliseconds; 0 when none was given.</summary>
    public static long CreatedAt(DateTimeOffset? createdAt, int index)
    {
        if (createdAt is not { } time)
        {
            return 0;
        }

        long ms = time.ToUnixTimeMilliseconds();
        return ms > 0
            ? ms
            : throw new ArgumentOutOfRangeException("batch", time, $"batch[{index}].CreatedAt must be after 1970-01-01T00:00:00Z.");
    }

    /// <summary>Validates one message (<paramref name="batchItem"/>: its index in a batch, -1 outside one) and returns it with an owned copy of its body, its distinct recipients and its idempotency key.</summary>
    public static PendingMessage Message(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, string? idempotencyKey, BlockStoreOptions options, int batchItem)
    {
        string convParam = batchItem < 0 ? nameof(convId) : "batch";
        string dataParam = batchItem < 0 ? nameof(data) : "batch";
        string usersParam = batchItem < 0 ? nameof(userIds) : "batch";
        int convIdBytes = Id(convId, convParam, batchItem, batchItem < 0 ? null : "ConvId", -1);
        if (data.Length > options.MaxMessageBytes)
        {
            throw new ArgumentException($"{Owner(batchItem)}Data is {data.Length} bytes; BlockStore:MaxMessageBytes allows {options.MaxMessageBytes}.", dataParam);
        }

        if (userIds is null)
        {
            throw new ArgumentNullException(usersParam, $"{Owner(batchItem)}UserIds must not be null.");
        }

        if (userIds.Count > options.MaxRecipients)
        {
            throw TooManyRecipients(userIds.Count, options.MaxRecipients, usersParam, batchItem);
        }

        string[] distinct = Distinct(userIds, options.MaxRecipients, usersParam, batchItem, out int userIdBytes);
        if (idempotencyKey is null)
        {
            return new PendingMessage(convId, senderId, data.ToArray(), distinct) { IdBytes = convIdBytes + userIdBytes };
        }

        int keyBytes = Id(idempotencyKey, batchItem < 0 ? nameof(idempotencyKey) : "batch", batchItem, batchItem < 0 ? null : "IdempotencyKey", -1);
        return new PendingMessage(convId, senderId, data.ToArray(), distinct)
        {
            IdBytes = convIdBytes + userIdBytes + keyBytes,
            IdempotencyKey = idempotencyKey,
            Fingerprint = IdempotencyEntry.FingerprintOf(senderId, data.Span),
        };
    }

    /// <summary>Refuses a batch whose journal record would be larger than the provider can store; turns are split only between requests.</summary>
    public static void BatchSize(PendingMessage[] messages, long maxRecordBytes, string providerName)
    {
        long size = JournalCodec.RecordSize(messages);
        if (size > maxRecordBytes)
        {
            throw new ArgumentException(
                $"The batch of {messages.Length} messages needs a journal record of {size} bytes, but the {providerName} provider stores at most " +
                $"{maxRecordBytes}; nothing was stored. Split it into smaller batches.",
                "batch");
        }
    }

    private static ArgumentException TooManyRecipients(int count, int maxRecipients, string paramName, int batchItem) =>
        new($"{(batchItem < 0 ? "userIds" : $"batch[{batchItem}].UserIds")} has {count} entries; BlockStore:MaxRecipients allows {maxRecipients}.", paramName);

    private static string[] Distinct(IReadOnlyCollection<string> userIds, int maxRecipients, string paramName, int batchItem, out int idBytes)
    {
        idBytes = 0;
        var distinct = new string[userIds.Count];
        HashSet<string>? seen = userIds.Count > 8 ? new HashSet<string>(userIds.Count, StringComparer.Ordinal) : null;
        int count = 0;
        int index = 0;
        foreach (string userId in userIds)
        {
            if (userId is null)
            {
                throw new ArgumentException($"{Describe(paramName, batchItem, batchItem < 0 ? "userIds" : "UserIds", index)} must not be null.", paramName);
            }

            if (index == maxRecipients)
            {
                // The collection grew while it was enumerated.
                throw TooManyRecipients(index + 1, maxRecipients, paramName, batchItem);
            }

            int bytes = Id(userId, paramName, batchItem, batchItem < 0 ? "userIds" : "UserIds", index);
            if (seen is null ? Array.IndexOf(distinct, userId, 0, count) < 0 : seen.Add(userId))
            {
                idBytes += bytes;
                if (count == distinct.Length)
                {
                    // The collection grew while it was enumerated.
                    Array.Resize(ref distinct, Math.Max(4, count * 2));
                }

                distinct[count++] = userId;
            }

            index++;
        }

        if (count != distinct.Length)
        {
            Array.Resize(ref distinct, count);
        }

        return distinct;
    }
}
