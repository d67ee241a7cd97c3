using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class MotionAugmentationTests
{
    private static readonly RigidMovement Still = new(0, 0, 0, 0, 0, 0);
    private readonly MotionAugmentation _motion = new();

    public MotionAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_without_movement_gives_the_image_back_through_the_k_space()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();

        var moved = _motion.Apply(sample, new MotionParameters([Still, Still], [0.3, 0.6]));

        TensorAssert.Close(sample, moved, 1e-5);
    }

    [Fact]
    public void Apply_fills_the_whole_k_space_from_the_last_movement_when_both_times_are_0()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        var oneVoxelAlongX = new RigidMovement(0, 0, 0, 1, 0, 0);

        var moved = _motion.Apply(sample, new MotionParameters([Still, oneVoxelAlongX], [0, 0]));

        // affine_grid's x is the last axis; the image is sampled one voxel further along it, zeros past the edge.
        TensorAssert.Close(sample[.., .., .., 1..], moved[.., .., .., ..^1], 1e-5);
        TensorAssert.Close(zeros(1, 18, 17, 1), moved[.., .., .., ^1..], 1e-5);
    }

    [Fact]
    public void Apply_fills_the_k_space_from_the_still_image_before_the_first_time_then_from_each_movement()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        var turned = new RigidMovement(30, 0, 0, 0, 0, 0);

        var neverMoved = _motion.Apply(sample, new MotionParameters([turned, turned], [1, 1]));
        var movedThroughout = _motion.Apply(sample, new MotionParameters([turned, turned], [0, 0.5]));
        var movedHalfway = _motion.Apply(sample, new MotionParameters([turned, turned], [0.5, 0.5]));
        var turnedImage = _motion.Apply(sample, new MotionParameters([Still, turned], [0, 0]));

        TensorAssert.Close(sample, neverMoved, 1e-5);
        TensorAssert.Identical(turnedImage, movedThroughout);
        Assert.True((movedHalfway - sample).abs().max().item<float>() > 1e-2);
        Assert.True((movedHalfway - turnedImage).abs().max().item<float>() > 1e-2);
    }

    [Fact]
    public void Leaves_a_slice_as_it_is_without_drawing()
    {
        using var scope = NewDisposeScope();
        var slice = AugmentationInputs.Slice();
        using var generator = new Generator(5);
        using var fresh = new Generator(5);

        var parameters = _motion.Draw(slice, generator);

        Assert.Same(MotionParameters.None, parameters);
        TensorAssert.Identical(slice, _motion.Apply(slice, parameters));
        Assert.Equal(rand(1, generator: fresh, dtype: ScalarType.Float64).item<double>(), rand(1, generator: generator, dtype: ScalarType.Float64).item<double>());
    }

    [Fact]
    public void Draw_takes_two_movements_of_2_to_4_degrees_and_voxels_and_sorted_times()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        for (ulong seed = 1; seed <= 10; seed++)
        {
            using var generator = new Generator(seed);

            var parameters = _motion.Draw(sample, generator);

            Assert.Equal(2, parameters.Movements.Count);
            foreach (var movement in parameters.Movements)
            {
                Assert.All([movement.RotationX, movement.RotationY, movement.RotationZ, movement.ShiftX, movement.ShiftY, movement.ShiftZ],
                    value => Assert.InRange(Math.Abs(value), 2, 4));
            }
            Assert.Equal(2, parameters.Times.Count);
            Assert.InRange(parameters.Times[0], 0, parameters.Times[1]);
            Assert.InRange(parameters.Times[1], parameters.Times[0], 1);
        }
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        var parameters = new MotionParameters([new RigidMovement(2.5, -3, 4, 2, -2.25, 3), Still], [0.25, 0.75]);

        Assert.Equal("Motion(times=[0.25, 0.75], movements=[(rotation 2.5, -3, 4 degrees; shift 2, -2.25, 3 voxels), "
            + "(rotation 0, 0, 0 degrees; shift 0, 0, 0 voxels)])", parameters.ToString());
        Assert.Equal("Motion(none)", MotionParameters.None.ToString());
    }
}
