using System.Collections.Concurrent;
using ClinicaDL.Core.Runtime;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Prepares the next training batches (stacking from the image cache, augmentation) on a background thread
/// while the network trains on the current one, at most <see cref="Depth"/> ahead so memory stays bounded. The
/// trainer uses it when a core is left over (GPU training, or fewer torch threads than cores).
/// The batches come out in order and each depends only on its index, and the background thread computes with the
/// libtorch thread count of the thread that created the prefetcher (the run's), so the result does not depend on
/// timing. The caller disposes every batch it takes; batches never taken are disposed here.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    public const int Depth = 2;

    private readonly BlockingCollection<Tensor> _ready = new(boundedCapacity: Depth);
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;

    public BatchPrefetcher(int batches, Func<int, Tensor> prepare, CancellationToken cancellation)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var token = _stop.Token;
        // A new thread's first libtorch operation would take whatever count was last set anywhere in the process.
        var threads = get_num_threads();
        _producer = Task.Factory.StartNew(() =>
        {
            using var runThreads = TorchRuntime.UseThreads(threads);
            try
            {
                for (var b = 0; b < batches; b++)
                {
                    token.ThrowIfCancellationRequested();
                    var batch = prepare(b);
                    try
                    {
                        _ready.Add(batch, token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Dispose();
                        throw;
                    }
                }
            }
            finally
            {
                _ready.CompleteAdding();
            }
        }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next batch, in order; a failure of the preparation is rethrown here.</summary>
    public Tensor Next()
    {
        if (_ready.TryTake(out var batch, Timeout.Infinite, _stop.Token))
        {
            return batch;
        }
        _producer.GetAwaiter().GetResult();
        throw new InvalidOperationException("No batch is left to take.");
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException error) when (error.InnerExceptions.All(e => e is OperationCanceledException))
        {
        }
        catch (AggregateException)
        {
            // Already reported through Next, or the loop ended early for another reason.
        }
        while (_ready.TryTake(out var left))
        {
            left.Dispose();
        }
        _ready.Dispose();
        _stop.Dispose();
    }
}
