using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// ClinicaDL's SSDA schedule (maps_manager._train_ssdann): the gradient reversal's weight alpha by epoch, and the
/// labelled target sessions oversampled to one per source batch.
/// </summary>
public sealed class DomainAdaptationScheduleTests
{
    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 7)]
    [InlineData(3, 2)]
    [InlineData(20, 5)]
    public void Alpha_is_clinicadls_2_over_1_plus_e_to_minus_the_epoch_minus_1_whatever_the_loader_length(int epoch, int batches)
    {
        // p = epoch x len / 10 / len; alpha = 2 / (1 + exp(-10 p)) - 1: 0 at the first epoch, towards 1 later.
        var expected = 2.0 / (1.0 + Math.Exp(-epoch)) - 1;

        Assert.Equal(expected, Trainer.DomainAdaptationTraining.Alpha(epoch, batches), 12);
    }

    [Fact]
    public void Oversampling_repeats_every_session_then_the_first_ones_and_shuffles_them()
    {
        // 3 sessions for 7 source batches: each twice, then session 0 once more (ClinicaDL's "first n" completion).
        var order = Trainer.DomainAdaptationTraining.Oversampled(3, 7, new Random(5));

        Assert.Equal([0, 0, 0, 1, 1, 2, 2], order.Order());
        Assert.NotEqual([0, 1, 2, 0, 1, 2, 0], order);
        Assert.Equal(order, Trainer.DomainAdaptationTraining.Oversampled(3, 7, new Random(5)));
    }
}
