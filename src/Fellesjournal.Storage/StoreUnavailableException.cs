namespace Fellesjournal.Storage;

/// <summary>The database cannot be reached (restarting, network down, shutting down). Maps to HTTP 503: the
/// client may retry. A write that failed this way was not acknowledged; it may or may not have committed.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
