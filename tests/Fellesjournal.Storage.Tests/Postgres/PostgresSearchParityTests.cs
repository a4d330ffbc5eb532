using System.Reflection;
using Fellesjournal.Storage.Tests.SearchApi;
using Xunit.Sdk;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>
/// Runs every search API test (the hand-written expectations in <c>SearchApi/</c>) against PostgreSQL: each test
/// method is invoked with each of its data rows while the fixture seeds a PostgreSQL store. Failures are
/// collected and reported together, one line per test row.
/// </summary>
public class PostgresSearchParityTests
{
    [Theory, PostgresStore]
    public async Task Search_api_tests_pass_on_postgres(string store)
    {
        var failures = new List<string>();
        var ran = 0;
        foreach (var type in new[] { typeof(SearchParameterTypeTests), typeof(SearchGraphTests) })
        {
            var instance = Activator.CreateInstance(type)!;
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.GetCustomAttribute<FactAttribute>() is not null))
            {
                var rows = m.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(m)).ToList();
                if (rows.Count == 0) rows.Add([]);
                foreach (var args in rows)
                {
                    ran++;
                    SearchFixture.StoreKind.Value = store;
                    try
                    {
                        await (Task)m.Invoke(instance, args)!;
                    }
                    catch (Exception e)
                    {
                        var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
                        failures.Add($"{type.Name}.{m.Name}({string.Join(", ", args)}): {inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
                    }
                    finally
                    {
                        SearchFixture.StoreKind.Value = null;
                    }
                }
            }
        }
        Assert.True(ran > 20, $"only {ran} test rows found");
        Assert.True(failures.Count == 0, $"{failures.Count} of {ran} search test rows fail on PostgreSQL:\n" + string.Join("\n", failures));
    }
}
