namespace ClinicaDL.Core.Runtime;

/// <summary>libtorch could not be loaded or a device could not be used; the message says what to do.</summary>
public sealed class TorchRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
