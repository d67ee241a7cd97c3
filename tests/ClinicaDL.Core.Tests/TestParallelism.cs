using Xunit;

// Test classes run one after another. TorchSharp 0.107 does not keep the Scalar it makes from a number alive
// during the native call and frees it in its finalizer, so a collection started by another thread's test can free
// it mid-operation ("Expected false to be true" from c10::Scalar::toLong in a registration test while N4 and QC
// tests ran beside it): libtorch work from two managed threads at once is not safe until dotnet/TorchSharp PR 1496.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
