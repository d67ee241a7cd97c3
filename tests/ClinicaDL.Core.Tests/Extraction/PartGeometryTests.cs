using ClinicaDL.Core.Extraction;

namespace ClinicaDL.Core.Tests.Extraction;

public sealed class PartGeometryTests
{
    [Theory]
    // ClinicaDL's documented count: 169x208x179 in patches of 50, stride 50 -> 3x4x3 = 36.
    [InlineData(169, 208, 179, 50, 50, 36)]
    // Overlapping patches: floor((169-50)/25)+1 = 5, floor((208-50)/25)+1 = 7, floor((179-50)/25)+1 = 6.
    [InlineData(169, 208, 179, 50, 25, 210)]
    [InlineData(10, 10, 10, 10, 3, 1)]
    [InlineData(57, 70, 60, 20, 20, 2 * 3 * 3)]
    public void CountsPatchesAsClinicaDL(int x, int y, int z, int size, int stride, int expected)
    {
        Assert.Equal(expected, PartGeometry.PatchCorners([x, y, z], size, stride).Count);
    }

    [Fact]
    public void OrdersPatchesAsUnfoldDoesWithZFastest()
    {
        var corners = PartGeometry.PatchCorners([100, 100, 100], 50, 50);
        Assert.Equal(new[] { 0, 0, 0 }, corners[0]);
        Assert.Equal(new[] { 0, 0, 50 }, corners[1]);
        Assert.Equal(new[] { 0, 50, 0 }, corners[2]);
        Assert.Equal(new[] { 50, 0, 0 }, corners[4]);
        Assert.Equal(new[] { 50, 50, 50 }, corners[7]);
    }

    [Fact]
    public void KeepsTheSliceIndicesBetweenTheDiscardedOnes()
    {
        Assert.Equal(Enumerable.Range(0, 208), PartGeometry.SliceIndices([169, 208, 179], 1, 0, 0));
        var axial = PartGeometry.SliceIndices([169, 208, 179], 2, 20, 30);
        Assert.Equal(179 - 50, axial.Count);
        Assert.Equal(20, axial[0]);
        Assert.Equal(148, axial[^1]);
    }

    [Theory]
    [InlineData(60, 50, "does not fit in an image of 57x70x60: the patch size must be at most 57")]
    [InlineData(20, 0, "stride must be at least 1 voxel; got 0")]
    [InlineData(0, 5, "patch size must be at least 1 voxel; got 0")]
    public void RefusesImpossiblePatches(int size, int stride, string message)
    {
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => PartGeometry.PatchCorners([57, 70, 60], size, stride)).Message);
    }

    [Theory]
    [InlineData(3, 0, 0, "0 (sagittal), 1 (coronal) or 2 (axial); got 3")]
    [InlineData(-1, 0, 0, "got -1")]
    [InlineData(0, 30, 27, "leaves none of the 57 along axis 0")]
    public void RefusesImpossibleSlices(int direction, int start, int end, string message)
    {
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => PartGeometry.SliceIndices([57, 70, 60], direction, start, end)).Message);
    }
}
