namespace Fellesjournal.Server.Security;

/// <summary>
/// The "policy off" baseline of bench/authz/run.sh. Only a build with <c>-p:BenchOpen=true</c> (which defines
/// <c>FJ_BENCH_OPEN</c>) sets <see cref="AccessLayerOff"/>: /fhir requests then carry no caller, so the server skips
/// authentication, scopes, the access policy and the access log, and the same commit can be measured with and
/// without its access layer. The normal build has no such path and no switch (a test asserts 401 without a token
/// and that this constant is false); such a binary must never serve real data.
/// </summary>
public static class BenchOpenBuild
{
#if FJ_BENCH_OPEN
    public const bool AccessLayerOff = true;
#else
    public const bool AccessLayerOff = false;
#endif
}
