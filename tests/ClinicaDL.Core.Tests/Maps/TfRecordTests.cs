using System.Text;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.Core.Tests.Maps;

public sealed class TfRecordTests
{
    [Fact]
    public void Crc32C_of_the_standard_check_string_is_E3069283()
    {
        Assert.Equal(0xE3069283u, TfRecord.Crc32C("123456789"u8));
        Assert.Equal(0xE3069283u, TensorBoardEventFile.Crc32C("123456789"u8));
    }

    [Fact]
    public void Crc32C_matches_the_bitwise_reference_at_every_length_across_the_8_byte_steps()
    {
        var data = Enumerable.Range(0, 37).Select(i => (byte)(i * 97 + 13)).ToArray();
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(TensorBoardEventFile.Crc32C(data.AsSpan(0, length)), TfRecord.Crc32C(data.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Masked_crc_rotates_right_by_15_and_adds_the_TensorFlow_constant()
    {
        // 0xE3069283 rotated right by 15 is 0x2507C60D; plus 0xA282EAD8 (mod 2^32) is 0xC78AB0E5.
        Assert.Equal(0xC78AB0E5u, TfRecord.MaskedCrc32C("123456789"u8));
    }

    [Fact]
    public void A_record_is_its_length_the_length_crc_the_payload_and_the_payload_crc()
    {
        var stream = new MemoryStream();
        TfRecord.Write(stream, "abc"u8);
        var bytes = stream.ToArray();
        Assert.Equal(8 + 4 + 3 + 4, bytes.Length);
        Assert.Equal(3ul, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(Masked(TensorBoardEventFile.Crc32C(bytes.AsSpan(0, 8))), BitConverter.ToUInt32(bytes, 8));
        Assert.Equal("abc", Encoding.ASCII.GetString(bytes, 12, 3));
        Assert.Equal(Masked(TensorBoardEventFile.Crc32C("abc"u8)), BitConverter.ToUInt32(bytes, 15));
    }

    private static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);

    [Theory]
    [InlineData(0, "length CRC")]    // in the first record's length
    [InlineData(9, "length CRC")]    // in the length's CRC
    [InlineData(20, "payload CRC")]  // in the payload (the first Event's wall_time)
    [InlineData(-1, "payload CRC")]  // in the last record's payload CRC
    public void A_corrupted_byte_fails_the_parser_on_the_crc_that_covers_it(int position, string crc)
    {
        var root = Directory.CreateTempSubdirectory("clinicadl-tfrecord-").FullName;
        try
        {
            var log = new TensorBoardLog(Path.Combine(root, "train"), Path.Combine(root, "validation"), ["BA", "loss"]);
            log.Start();
            log.Append(3, new Dictionary<string, double> { ["BA"] = 0.75, ["loss"] = 0.5 }, new Dictionary<string, double> { ["BA"] = 0.5, ["loss"] = 0.7 });
            var path = Assert.Single(Directory.GetFiles(Path.Combine(root, "train")));
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(3, TensorBoardEventFile.Parse(bytes, "intact").Count);
            bytes[position < 0 ? bytes.Length + position : position] ^= 0x01;
            var error = Assert.Throws<InvalidDataException>(() => TensorBoardEventFile.Parse(bytes, "corrupted"));
            Assert.Contains(crc, error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
