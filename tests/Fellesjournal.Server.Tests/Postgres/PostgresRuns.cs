using Fellesjournal.Storage.Tests.Postgres;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Fellesjournal.Server.Tests.Postgres.StoreTestFramework", "Fellesjournal.Server.Tests")]

namespace Fellesjournal.Server.Tests.Postgres;

/// <summary>
/// Marks a test class that re-runs an HTTP test class (by deriving from it) on the PostgreSQL store. When the
/// PostgreSQL binaries are absent, every test of the class is reported as skipped with the reason, not failed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OnPostgresAttribute : Attribute;

/// <summary>xUnit's own framework, except that tests of <see cref="OnPostgresAttribute"/> classes are discovered as
/// skipped (one case per method, theory data not enumerated) when PostgreSQL cannot run here.</summary>
public sealed class StoreTestFramework(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider source, IMessageSink sink)
        : XunitTestFrameworkDiscoverer(assembly, source, sink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus,
            ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgresServer.SkipReason is null || !testMethod.TestClass.Class.GetCustomAttributes(typeof(OnPostgresAttribute)).Any())
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            if (!testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any()) return true;
            var skipped = new PostgresSkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }
}

/// <summary>A test of a PostgreSQL run, skipped because PostgreSQL is not installed.</summary>
public sealed class PostgresSkippedTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public PostgresSkippedTestCase() { }

    public PostgresSkippedTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(sink, display, options, method) { }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        PostgresServer.SkipReason ?? "PostgreSQL is not installed";
}
