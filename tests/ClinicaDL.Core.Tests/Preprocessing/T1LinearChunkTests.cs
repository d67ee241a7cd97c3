using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.Core.Tests.Preprocessing;

public sealed class T1LinearChunkTests
{
    private static T1LinearInput Image(string participant, string session) =>
        new(participant, session, $"/bids/{participant}/{session}/anat/{participant}_{session}_T1w.nii.gz");

    private static string Name(T1LinearInput input) => $"{input.ParticipantId} {input.SessionId}";

    [Fact]
    public void Seven_images_in_three_chunks_are_contiguous_runs_of_3_2_2_in_participant_then_session_order()
    {
        // Given out of order, and with "sub-10" sorting before "sub-2" (ordinal, as every process sorts).
        T1LinearInput[] inputs =
        [
            Image("sub-2", "ses-M012"), Image("sub-10", "ses-M000"), Image("sub-1", "ses-M012"), Image("sub-2", "ses-M000"),
            Image("sub-1", "ses-M000"), Image("sub-3", "ses-M000"), Image("sub-10", "ses-M006"),
        ];
        Assert.Equal(["sub-1 ses-M000", "sub-1 ses-M012", "sub-10 ses-M000"], T1LinearChunk.Select(inputs, 0, 3).Select(Name));
        Assert.Equal(["sub-10 ses-M006", "sub-2 ses-M000"], T1LinearChunk.Select(inputs, 1, 3).Select(Name));
        Assert.Equal(["sub-2 ses-M012", "sub-3 ses-M000"], T1LinearChunk.Select(inputs, 2, 3).Select(Name));
    }

    [Fact]
    public void One_chunk_is_every_image_in_order()
    {
        T1LinearInput[] inputs = [Image("sub-b", "ses-1"), Image("sub-a", "ses-2"), Image("sub-a", "ses-1")];
        Assert.Equal(["sub-a ses-1", "sub-a ses-2", "sub-b ses-1"], T1LinearChunk.Select(inputs, 0, 1).Select(Name));
    }

    [Fact]
    public void More_chunks_than_images_leaves_the_last_chunks_empty()
    {
        T1LinearInput[] inputs = [Image("sub-1", "ses-1"), Image("sub-2", "ses-1")];
        Assert.Equal(["sub-1 ses-1"], T1LinearChunk.Select(inputs, 0, 4).Select(Name));
        Assert.Equal(["sub-2 ses-1"], T1LinearChunk.Select(inputs, 1, 4).Select(Name));
        Assert.Empty(T1LinearChunk.Select(inputs, 2, 4));
        Assert.Empty(T1LinearChunk.Select(inputs, 3, 4));
        Assert.Empty(T1LinearChunk.Select([], 0, 1));
    }

    [Fact]
    public void The_chunks_are_disjoint_near_equal_and_together_every_image_whatever_the_order_given()
    {
        var random = new Random(19);
        foreach (var total in new[] { 0, 1, 2, 5, 16, 17, 100 })
        {
            var inputs = Enumerable.Range(0, total).Select(i => Image($"sub-{i / 3:D3}", $"ses-M{i % 3:D3}")).ToList();
            var ordered = inputs.Select(Name).ToList();
            foreach (var count in new[] { 1, 2, 3, 7, 16, 150 })
            {
                var shuffled = inputs.OrderBy(_ => random.Next()).ToList();
                var chunks = Enumerable.Range(0, count).Select(k => T1LinearChunk.Select(shuffled, k, count).Select(Name).ToList()).ToList();
                Assert.Equal(ordered, chunks.SelectMany(c => c));
                Assert.True(chunks.Max(c => c.Count) - chunks.Min(c => c.Count) <= 1, $"{total} images in {count} chunks: sizes {string.Join(",", chunks.Select(c => c.Count))}");
                Assert.Equal(chunks.Select(c => c.Count).OrderDescending(), chunks.Select(c => c.Count));
            }
        }
    }

    [Theory]
    [InlineData(0, 0, "chunkCount", "at least 1")]
    [InlineData(0, -2, "chunkCount", "at least 1")]
    [InlineData(2, 2, "chunk", "from 0 to 1")]
    [InlineData(-1, 3, "chunk", "from 0 to 2")]
    public void A_chunk_outside_the_count_or_a_count_below_one_is_refused(int chunk, int count, string parameter, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => T1LinearChunk.Select([Image("sub-1", "ses-1")], chunk, count));
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(expected, error.Message);
    }
}
