namespace BlockStore.Tests;

/// <summary>A fresh directory path under the temp folder for one test, deleted with everything in it when the test ends.</summary>
public abstract class TempDirectory : IDisposable
{
    /// <summary>The test's directory; not created, so a test can prove what creates it.</summary>
    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), "blockstore-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
