using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;

namespace Fellesjournal.Server.Operations;

/// <summary>
/// A named FHIR operation (<c>$summary</c>, <c>$medication-list</c>, ...) served by a national-service module.
/// Registered in DI as <see cref="IFhirOperation"/>; <c>FhirService</c> routes
/// <c>[Type/[id/]]$name</c> to it, so modules add operations without touching the router.
/// </summary>
public interface IFhirOperation
{
    /// <summary>The operation name with its <c>$</c>, e.g. <c>$summary</c>.</summary>
    string Name { get; }

    /// <summary>The resource type it is defined on (<c>Patient</c>), or null for a system-level operation.</summary>
    string? ResourceType { get; }

    /// <summary>True when invoked on an instance (<c>Patient/{id}/$summary</c>), false at type/system level.</summary>
    bool Instance { get; }

    /// <summary>The HTTP methods it accepts (e.g. GET and POST).</summary>
    IReadOnlyList<string> Methods { get; }

    Task<FhirResponse> InvokeAsync(OperationCall call, CancellationToken ct);
}

/// <summary>One invocation: the request, the instance id (when instance-level) and the store operations of the
/// surrounding request (direct, or a transaction's).</summary>
public sealed record OperationCall(FhirRequest Request, string? Id, IStoreOps Ops);
