// Defines std::ios_base_library_init() for libstdc++ older than GCC 13's (GLIBCXX_3.4.32), which TorchSharp
// 0.107's libLibTorchSharp.so calls once to make sure the standard streams exist. Compiled by build.ps1
// only on such systems; see ClinicaDL.Core/Runtime/LibStdCxxCompatibility.cs.
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
