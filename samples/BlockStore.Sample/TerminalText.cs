using System.Globalization;
using System.Text;

namespace BlockStore.Sample;

/// <summary>Pads and cuts text by terminal columns, so Chinese characters and emoji (two columns each) keep tables aligned.</summary>
internal static class TerminalText
{
    private const int HeadingWidth = 96;

    /// <summary>A section heading: the title on a rule that spans the width of the report.</summary>
    public static string Heading(string title) => $"── {title} {new string('─', Math.Max(3, HeadingWidth - Width(title)))}";

    public static int Width(string text)
    {
        int width = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            width += Width(rune);
        }

        return width;
    }

    public static string PadRight(string text, int columns)
    {
        string cut = Cut(text, columns);
        return cut + new string(' ', Math.Max(0, columns - Width(cut)));
    }

    public static string PadLeft(string text, int columns) => new string(' ', Math.Max(0, columns - Width(text))) + text;

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="columns"/> columns, ending in "…" when something was cut.</summary>
    public static string Cut(string text, int columns)
    {
        if (Width(text) <= columns)
        {
            return text;
        }

        var builder = new StringBuilder();
        int width = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            int runeWidth = Width(rune);
            if (width + runeWidth > columns - 1)
            {
                break;
            }

            builder.Append(rune.ToString());
            width += runeWidth;
        }

        return builder.Append('…').ToString();
    }

    private static int Width(Rune rune)
    {
        int value = rune.Value;
        if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format)
        {
            return 0;
        }

        bool wide = value is >= 0x1100 and <= 0x115F
            or >= 0x2E80 and <= 0xA4CF
            or >= 0xAC00 and <= 0xD7A3
            or >= 0xF900 and <= 0xFAFF
            or >= 0xFE30 and <= 0xFE4F
            or >= 0xFF00 and <= 0xFF60
            or >= 0xFFE0 and <= 0xFFE6
            or >= 0x1F300 and <= 0x1FAFF
            or >= 0x20000 and <= 0x3FFFD
            or 0x2615 or 0x2600 or 0x2764;
        return wide ? 2 : 1;
    }
}
