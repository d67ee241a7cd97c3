using System.Buffers.Binary;
using System.Text;

namespace ClinicaDL.Core.Runtime;

/// <summary>
/// Lets TorchSharp 0.107's <c>libLibTorchSharp.so</c>, built against GCC 13's libstdc++, load on systems with
/// an older one (Debian 12, Ubuntu 22.04, RHEL 9). Exactly one of its symbols,
/// <c>std::ios_base_library_init()</c>, needs <c>GLIBCXX_3.4.32</c>. On a copy of the library we drop that
/// symbol's version and mark the version requirement weak (glibc then notes it instead of refusing to load);
/// a tiny library compiled at build time defines the symbol and is loaded first, globally
/// (<see cref="TorchRuntime"/>). Systems whose libstdc++ has the version get the files untouched.
/// </summary>
public static class LibStdCxxCompatibility
{
    public const string RequiredVersion = "GLIBCXX_3.4.32";
    public const string Symbol = "_ZSt21ios_base_library_initv";

    /// <summary>The file name of the library that defines <see cref="Symbol"/> (built by build.ps1).</summary>
    public const string ShimFileName = "libClinicaDLStdCxxCompat.so";

    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlagWeak = 0x2;
    private const ushort VerIndexGlobal = 1;

    /// <summary>The libstdc++ this process has loaded (the one any library it loads will get), or null off Linux.</summary>
    public static string? LoadedLibStdCxx()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps"))
        {
            return null;
        }
        return File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .FirstOrDefault();
    }

    /// <summary>Whether a libstdc++ file defines a symbol version (its version strings are plain ASCII in the file).</summary>
    public static bool Provides(string libStdCxxPath, string version = RequiredVersion)
    {
        var content = File.ReadAllBytes(libStdCxxPath);
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        return content.AsSpan().IndexOf(needle) >= 0;
    }

    /// <summary>Whether an ELF library still has a non-weak requirement on <see cref="RequiredVersion"/>.</summary>
    public static bool Requires(string libraryPath) =>
        new ElfFile(File.ReadAllBytes(libraryPath)).FindVersionNeed(RequiredVersion) is { Weak: false };

    /// <summary>
    /// Rewrites an ELF64 library in place (same size): <see cref="Symbol"/> loses its version and the
    /// <see cref="RequiredVersion"/> requirement becomes weak. Fails if any other symbol needs that version.
    /// </summary>
    public static void Patch(string libraryPath)
    {
        var elf = new ElfFile(File.ReadAllBytes(libraryPath));
        var need = elf.FindVersionNeed(RequiredVersion)
            ?? throw new InvalidOperationException($"'{libraryPath}' does not require {RequiredVersion}; nothing to patch.");
        var users = elf.SymbolsWithVersionIndex(need.Index).ToList();
        if (users.Any(user => user.Name != Symbol))
        {
            throw new InvalidOperationException(
                $"'{libraryPath}' uses {RequiredVersion} for symbols other than {Symbol} ({string.Join(", ", users.Select(u => u.Name).Take(5))}); it cannot be made to load on this libstdc++.");
        }
        foreach (var user in users)
        {
            elf.SetVersionIndex(user.SymbolIndex, VerIndexGlobal);
        }
        elf.SetVersionNeedFlags(need.FlagsOffset, (ushort)(need.Flags | VerFlagWeak));
        var temporary = libraryPath + ".patching";
        File.WriteAllBytes(temporary, elf.Bytes);
        File.Move(temporary, libraryPath, overwrite: true);
    }

    private sealed record VersionNeed(ushort Index, ushort Flags, int FlagsOffset)
    {
        public bool Weak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Just enough of a little-endian ELF64 file: section headers, dynamic symbols and GNU versions.</summary>
    private sealed class ElfFile
    {
        private static readonly byte[] ElfMagic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];
        private readonly List<Section> _sections = [];

        public ElfFile(byte[] bytes)
        {
            Bytes = bytes;
            if (bytes.Length < 64 || !bytes.AsSpan(0, 4).SequenceEqual(ElfMagic) || bytes[4] != 2 || bytes[5] != 1)
            {
                throw new InvalidOperationException("Not a little-endian ELF64 file.");
            }
            var sectionTable = (int)U64(0x28);
            var entrySize = U16(0x3a);
            var count = U16(0x3c);
            for (var i = 0; i < count; i++)
            {
                var at = sectionTable + i * entrySize;
                _sections.Add(new Section(U32(at + 4), (int)U64(at + 0x18), (int)U64(at + 0x20), U32(at + 0x28), U32(at + 0x2c), (int)U64(at + 0x38)));
            }
        }

        public byte[] Bytes { get; }

        public VersionNeed? FindVersionNeed(string version)
        {
            var verneed = _sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
            if (verneed is null)
            {
                return null;
            }
            var strings = _sections[(int)verneed.Link];
            var need = verneed.Offset;
            for (var n = 0; n < verneed.Info; n++)
            {
                var auxCount = U16(need + 2);
                var aux = need + (int)U32(need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    if (String(strings, U32(aux + 8)) == version)
                    {
                        return new VersionNeed(U16(aux + 6), U16(aux + 4), aux + 4);
                    }
                    aux += (int)U32(aux + 12);
                }
                need += (int)U32(need + 12);
            }
            return null;
        }

        public IEnumerable<(int SymbolIndex, string Name)> SymbolsWithVersionIndex(ushort index)
        {
            var dynsym = _sections.Single(s => s.Type == ShtDynsym);
            var versym = _sections.Single(s => s.Type == ShtGnuVersym);
            var strings = _sections[(int)dynsym.Link];
            var count = dynsym.Size / dynsym.EntrySize;
            for (var i = 0; i < count; i++)
            {
                // The top bit marks a hidden symbol; the rest is the version index.
                if ((U16(versym.Offset + 2 * i) & 0x7fff) == index)
                {
                    yield return (i, String(strings, U32(dynsym.Offset + i * dynsym.EntrySize)));
                }
            }
        }

        public void SetVersionIndex(int symbolIndex, ushort index)
        {
            var versym = _sections.Single(s => s.Type == ShtGnuVersym);
            BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(versym.Offset + 2 * symbolIndex), index);
        }

        public void SetVersionNeedFlags(int offset, ushort flags) => BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(offset), flags);

        private string String(Section table, uint offset)
        {
            var start = table.Offset + (int)offset;
            var end = Bytes.AsSpan(start).IndexOf((byte)0);
            return Encoding.ASCII.GetString(Bytes, start, end);
        }

        private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(at));
        private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(at));
        private ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(at));

        private sealed record Section(uint Type, int Offset, int Size, uint Link, uint Info, int EntrySize);
    }
}
