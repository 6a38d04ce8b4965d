namespace BlockStore.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>A problem was found: damage, a refused import, a data set held by another process, a failed read or write.</summary>
    public const int Problem = 1;

    /// <summary>The command line or the configuration is wrong; nothing was done.</summary>
    public const int Usage = 2;
}
