namespace BlockStore.Tests.Contract;

/// <summary>A DataDir that cannot be created is reported naming the configuration key and the path.</summary>
public abstract partial class ContractTests
{
    [Fact]
    public async Task A_DataDir_that_cannot_be_created_is_reported_naming_the_key_and_the_path()
    {
        string underFile = Path.Combine(Root, "a-file", "data");
        await File.WriteAllTextAsync(Path.Combine(Root, "a-file"), "not a directory");
        List<string> paths = [underFile];
        if (OperatingSystem.IsLinux())
        {
            paths.Add("/proc/nope");
        }

        foreach (string path in paths)
        {
            var error = await Assert.ThrowsAsync<BlockStoreException>(
                () => MessageStore.OpenAsync(CreateOptions(o => o.DataDir = path), Fixture.CreateProvider()));

            Assert.Contains("BlockStore:DataDir", error.Message, StringComparison.Ordinal);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.NotNull(error.InnerException);
        }
    }
}
