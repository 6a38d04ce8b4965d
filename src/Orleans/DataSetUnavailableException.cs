namespace BlockStore.Orleans;

/// <summary>
/// A call to a data set failed because the data set is moving between silos or its silo failed. A read can simply be retried;
/// a write may or may not have been stored, so retry it with the same idempotency key.
/// </summary>
public sealed class DataSetUnavailableException : BlockStoreException
{
    /// <summary>Creates the exception for a data set.</summary>
    /// <param name="dataSetId">The data set the call was for.</param>
    /// <param name="innerException">The failure the cluster reported.</param>
    public DataSetUnavailableException(string dataSetId, Exception? innerException)
        : base($"Data set '{dataSetId}' is unavailable for now (it is moving to another silo, or its silo failed); retry the call, writes with the same idempotency key.", innerException)
    {
        DataSetId = dataSetId;
    }

    /// <summary>The data set the call was for.</summary>
    public string DataSetId { get; }
}
