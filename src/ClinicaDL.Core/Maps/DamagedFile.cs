using System.Text.Json;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// Reading a binary file the module wrote into a MAPS (a checkpoint, a model.pt), which is written whole or not at
/// all: a file that ends early or holds something else was damaged or replaced afterwards, and is reported as such,
/// naming the file and what to do, instead of the reader's bare "Unable to read beyond the end of the stream".
/// </summary>
internal static class DamagedFile
{
    public static T Guard<T>(string path, string kind, string remedy, Func<T> read)
    {
        try
        {
            return read();
        }
        // TorchSharp's loader reads a count from the first bytes and reports other bytes as a state dict of another size (ArgumentException).
        catch (Exception error) when (error is EndOfStreamException or JsonException or FormatException or OverflowException
                                          or OutOfMemoryException or ArgumentException)
        {
            throw new MapsException($"'{path}' is not a whole {kind} of this module ({error.Message}): it was damaged after it was written; {remedy}.");
        }
    }

    public static void Guard(string path, string kind, string remedy, Action read) => Guard(path, kind, remedy, () =>
    {
        read();
        return 0;
    });
}
