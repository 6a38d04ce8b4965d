namespace BlockStore.Tests.Contract;

/// <summary>
/// The provider contract: every behaviour a provider must show, spread over one feature file each. A provider runs the
/// whole suite through one sealed subclass that hands in its <see cref="IProviderFixture"/>.
/// </summary>
public abstract partial class ContractTests(IProviderFixture fixture) : StoreTestBase(fixture);
