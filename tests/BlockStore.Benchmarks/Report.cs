using System.Globalization;
using System.Text;

namespace BlockStore.Benchmarks;

/// <summary>The macro benchmark's result table: one row per figure, the baseline first, each target with its ratio to it.</summary>
internal sealed class Report(IReadOnlyList<string> contenders)
{
    private readonly List<Row> _rows = [];

    /// <summary>Adds a figure measured for every contender; the first contender is the baseline.</summary>
    /// <param name="scenario">What was measured.</param>
    /// <param name="unit">The unit of the values.</param>
    /// <param name="higherIsBetter">Whether a larger value is better.</param>
    /// <param name="goal">The issue's goal for this figure, as printed; null when the figure is informative only.</param>
    /// <param name="isMet">Decides the goal from a target's value and its ratio to the baseline; null without a goal.</param>
    /// <param name="values">The value of each contender, in the order given to the report.</param>
    /// <param name="withRatio">False when a ratio to the baseline would mean nothing (the baseline keeps nothing in managed memory).</param>
    public void Add(string scenario, string unit, bool higherIsBetter, string? goal, Func<double, double, bool>? isMet, IReadOnlyList<double> values, bool withRatio = true) =>
        _rows.Add(new Row(scenario, unit, higherIsBetter, goal ?? "-", isMet, values, withRatio));

    public string Format()
    {
        var header = new List<string> { "Scenario", "Unit", "Better" };
        header.AddRange(contenders);
        header.Add("Goal");
        List<string[]> lines = [[.. header]];
        foreach (Row row in _rows)
        {
            var cells = new List<string> { row.Scenario, row.Unit, row.HigherIsBetter ? "higher" : "lower", Number(row.Values[0]) };
            for (int i = 1; i < row.Values.Count; i++)
            {
                double ratio = row.Values[i] / row.Values[0];
                string verdict = row.IsMet is null ? "" : row.IsMet(row.Values[i], ratio) ? " met" : " MISSED";
                string times = row.WithRatio ? $" ({ratio.ToString("0.0#", CultureInfo.InvariantCulture)}x)" : "";
                cells.Add($"{Number(row.Values[i])}{times}{verdict}");
            }

            cells.Add(row.Goal);
            lines.Add([.. cells]);
        }

        int[] widths = new int[header.Count];
        foreach (string[] line in lines)
        {
            for (int i = 0; i < line.Length; i++)
            {
                widths[i] = Math.Max(widths[i], line[i].Length);
            }
        }

        var text = new StringBuilder();
        for (int l = 0; l < lines.Count; l++)
        {
            string[] line = lines[l];
            IEnumerable<string> padded = line.Select((cell, i) => i >= 3 && i < line.Length - 1 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            text.Append(string.Join("  ", padded).TrimEnd()).Append('\n');
            if (l == 0)
            {
                text.Append('-', widths.Sum() + (2 * (widths.Length - 1))).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "N0" : Math.Abs(value) >= 10 ? "N1" : "N2", CultureInfo.InvariantCulture);

    private sealed record Row(string Scenario, string Unit, bool HigherIsBetter, string Goal, Func<double, double, bool>? IsMet, IReadOnlyList<double> Values, bool WithRatio);
}
