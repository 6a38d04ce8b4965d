using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BlockStore.Cli;

/// <summary>
/// One message as a JSON Lines record: <c>seqId</c>, <c>convId</c>, <c>senderId</c>, <c>createdAt</c> (ISO 8601, UTC, milliseconds),
/// the body as <c>text</c> when it is valid UTF-8 or else as <c>base64</c>, and <c>userIds</c>, the recipients the export knows.
/// </summary>
internal static class MessageLine
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="message"/> as one line; <paramref name="userIds"/> null leaves the recipients out.</summary>
    public static void Write(Stream output, Message message, IReadOnlyList<string>? userIds)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (message.Data.Length * 2));
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("seqId", message.SeqId);
            json.WriteString("convId", message.ConvId);
            json.WriteNumber("senderId", message.SenderId);
            json.WriteString("createdAt", message.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (TryDecode(message.Data.Span, out string? text))
            {
                json.WriteString("text", text);
            }
            else
            {
                json.WriteBase64String("base64", message.Data.Span);
            }

            if (userIds is not null)
            {
                json.WriteStartArray("userIds");
                foreach (string userId in userIds)
                {
                    json.WriteStringValue(userId);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        output.Write(buffer.WrittenSpan);
    }

    /// <summary>Reads one line into a message to add; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static NewMessage Read(string line)
    {
        JsonElement root;
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON ({ex.Message})", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("not a JSON object");
        }

        string convId = Required(root, "convId", JsonValueKind.String).GetString()!;
        if (!Required(root, "senderId", JsonValueKind.Number).TryGetUInt32(out uint senderId))
        {
            throw new FormatException("\"senderId\" is not a number from 0 to 4294967295");
        }

        if (!Required(root, "createdAt", JsonValueKind.String).TryGetDateTimeOffset(out DateTimeOffset createdAt))
        {
            throw new FormatException("\"createdAt\" is not an ISO 8601 time");
        }

        byte[] data = root.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String
            ? Encoding.UTF8.GetBytes(text.GetString()!)
            : root.TryGetProperty("base64", out JsonElement base64) && base64.ValueKind == JsonValueKind.String && base64.TryGetBytesFromBase64(out byte[]? bytes)
                ? bytes
                : throw new FormatException("the body needs \"text\" (a string) or \"base64\" (base64 bytes)");

        var userIds = new List<string>();
        if (root.TryGetProperty("userIds", out JsonElement users))
        {
            if (users.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("\"userIds\" is not an array");
            }

            foreach (JsonElement user in users.EnumerateArray())
            {
                userIds.Add(user.ValueKind == JsonValueKind.String ? user.GetString()! : throw new FormatException("\"userIds\" holds a value that is not a string"));
            }
        }

        return new NewMessage(convId, senderId, data, userIds) { CreatedAt = createdAt };
    }

    private static JsonElement Required(JsonElement root, string name, JsonValueKind kind) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == kind
            ? value
            : throw new FormatException($"\"{name}\" is missing or not a {kind.ToString().ToLowerInvariant()}");

    private static bool TryDecode(ReadOnlySpan<byte> data, out string? text)
    {
        try
        {
            text = StrictUtf8.GetString(data);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = null;
            return false;
        }
    }
}
