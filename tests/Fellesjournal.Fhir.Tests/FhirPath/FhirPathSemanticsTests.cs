using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Tests.FhirPath;

/// <summary>Tricky corners of the FHIRPath semantics, each checked against an exact expected result.</summary>
public class FhirPathSemanticsTests
{
    private static readonly ElementNode Patient = ElementNode.Parse(File.ReadAllText(
        Path.Combine(FhirDefinitions.Default.PackageDirectory, "Patient-example.json")));

    /// <summary>The result as text: items joined by '|', empty as "{}".</summary>
    private static string Eval(string expr, ElementNode? node = null, EvaluationEnvironment? env = null)
    {
        var r = FhirPathEngine.Evaluate(node ?? Patient, expr, env);
        return r.Count == 0 ? "{}" : string.Join("|", r.Select(x => Values.Format(Values.ToSystem(x))));
    }

    [Theory]
    // precedence: unary minus binds to the whole path, * before +, | before =
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("-Patient.name.given.count()", "-5")]
    [InlineData("(1 | 2) = (1 | 2)", "true")]
    [InlineData("2 + 3 is Integer", "true")] // 'is' binds looser than '+'
    [InlineData("1 | 2 is Integer", "1|true")] // ... but tighter than '|'
    // three-valued logic
    [InlineData("{} and false", "false")]
    [InlineData("{} and true", "{}")]
    [InlineData("true or {}", "true")]
    [InlineData("{} implies true", "true")]
    [InlineData("false implies {}", "true")]
    [InlineData("true xor {}", "{}")]
    // date precision: undecided comparisons yield empty, equivalence is false
    [InlineData("@2012-01 < @2012-01-15", "{}")]
    [InlineData("@2012-01 = @2012-01-15", "{}")]
    [InlineData("@2012-01 ~ @2012-01-15", "false")]
    [InlineData("@2012-01-15T10:00:00+02:00 = @2012-01-15T08:00:00Z", "true")]
    [InlineData("@T10:30:00 = @T10:30:00.000", "true")]
    // decimal exactness and scale
    [InlineData("0.1 + 0.2 = 0.3", "true")]
    [InlineData("1.50 = 1.5", "true")]
    [InlineData("1.5 ~ 1.54", "true")]
    [InlineData("7 / 2", "3.5")]
    [InlineData("7 div 2", "3")]
    [InlineData("-7 mod 3", "-1")]
    [InlineData("5 / 0", "{}")]
    [InlineData("2147483647 + 1", "{}")]
    // quantities and calendar arithmetic
    [InlineData("4 'g' = 4000 'mg'", "true")]
    [InlineData("1 year = 12 months", "true")]
    [InlineData("1 year = 1 'a'", "{}")]
    [InlineData("@2014-01-31 + 1 month", "2014-02-28")]
    [InlineData("1 'm' + 50 'cm'", "1.50 'm'")]
    [InlineData("1 'g'.toQuantity('mg')", "1000 'mg'")]
    [InlineData("1 'g'.toQuantity('s')", "{}")]
    [InlineData("2.0 'cm' * 2.0 'm' = 0.040 'm2'", "true")]
    [InlineData("5 '10*3/uL' = 5000 '/uL'", "true")]
    [InlineData("1 'mmol/L' = 1000 'umol/L'", "true")]
    [InlineData("3 '{cells}' = 3 '1'", "true")]
    [InlineData("1 'mg/dL' > 9 'mg/L'", "true")]
    [InlineData("@2014 + 24 months", "2016")]
    [InlineData("@T23:30 + 1 hour", "00:30")]
    // strings
    [InlineData("'a' & {} & 'b'", "ab")]
    [InlineData("'a' + {}", "{}")]
    [InlineData("'abc'.substring(1, 10)", "bc")]
    [InlineData("'a,b,,c'.split(',').count()", "4")]
    [InlineData("'Hello  World' ~ 'hello world'", "true")]
    // collections
    [InlineData("(1 | 1 | 2).count()", "2")]
    [InlineData("(1 | 2).combine(1 | 2).count()", "4")]
    [InlineData("(1 | 2 | 3).where($this > 1).select($this * $index)", "0|3")]
    [InlineData("(1 | 2 | 3).aggregate($this + $total, 0)", "6")]
    [InlineData("Patient.name.given.distinct().count()", "3")]
    // navigation and types
    [InlineData("Patient.birthDate.extension('http://hl7.org/fhir/StructureDefinition/patient-birthTime').value", "1974-12-25T14:35:45-05:00")]
    [InlineData("Patient.gender.is(string)", "true")]
    [InlineData("Patient.gender.as(string).exists()", "false")]
    [InlineData("Patient.deceased.is(boolean)", "true")]
    [InlineData("Patient.name.where(use = 'official').family", "Chalmers")]
    [InlineData("Patient.telecom.where(system = 'phone').value.first()", "(03) 5555 6473")]
    [InlineData("Patient.is(DomainResource)", "true")]
    [InlineData("iif(Patient.active, 'yes', 'no')", "yes")]
    [InlineData("iif({}, 'yes')", "{}")]
    public void Evaluates(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("Patient.name.single()")]             // several items
    [InlineData("Patient.name.given + 1")]            // operator on a collection
    [InlineData("'a' < 1")]                           // incomparable types
    [InlineData("Patient.name.family.startsWith(1)")] // multiple inputs to a string function
    [InlineData("(1 | 2).not()")]
    public void Reports_execution_errors(string expression) =>
        Assert.Throws<FhirPathException>(() => Eval(expression));

    [Theory]
    [InlineData("Patient.name.", 13)]
    [InlineData("Patient.foo(1)", 8)]           // unknown function
    [InlineData("Patient.name.where()", 13)]    // wrong argument count
    [InlineData("1 + ", 4)]
    [InlineData("'unterminated", 0)]
    [InlineData("2 + 2 /* open", 6)]
    public void Reports_syntax_and_semantic_errors_with_position(string expression, int position)
    {
        var e = Assert.Throws<FhirPathException>(() => FhirPathEngine.Compile(expression));
        Assert.Equal(position, e.Position);
    }

    [Fact]
    public void Never_throws_anything_but_FhirPathException_on_garbage()
    {
        var rnd = new Random(42);
        string[] parts = ["Patient", ".", "name", "(", ")", "[", "]", "0", "1.5", "'x'", "@2014", "@T10", "+", "-", "*", "/",
            "and", "or", "is", "as", "|", "=", "~", "<", "where", "$this", "%resource", "{", "}", ",", "first", "given",
            "5 'mg'", "`a b`", "%`vs-x`", "div", "mod", "implies", "xor", "in", "contains", "\\", "&", "!=", "ofType", "String"];
        for (var i = 0; i < 5000; i++)
        {
            var expr = string.Join(rnd.Next(2) == 0 ? "" : " ", Enumerable.Range(0, rnd.Next(1, 12)).Select(_ => parts[rnd.Next(parts.Length)]));
            try { FhirPathEngine.Evaluate(Patient, expr); }
            catch (FhirPathException e)
            {
                // a wrapped .NET exception is an engine bug
                Assert.False(e.Message.StartsWith("Evaluation failed", StringComparison.Ordinal), $"{expr}: {e.Message}");
                Assert.False(e.Message.StartsWith("Invalid expression", StringComparison.Ordinal), $"{expr}: {e.Message}");
            }
        }
        var deep = new string('(', 5000) + "1" + new string(')', 5000);
        Assert.Throws<FhirPathException>(() => FhirPathEngine.Compile(deep));
        Assert.Throws<FhirPathException>(() => FhirPathEngine.Compile(string.Concat(Enumerable.Repeat("-", 5000)) + "1"));
    }

    [Fact]
    public void Strict_mode_checks_casts_and_ordered_functions()
    {
        var obs = ElementNode.Parse("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":5,"unit":"mg"}}""");
        var strict = new EvaluationEnvironment { Strict = true };
        Assert.Throws<FhirPathException>(() => Eval("(Observation.value as Period).unit", obs, strict));
        Assert.Equal("{}", Eval("(Observation.value as Period).start", obs, strict));
        Assert.Equal("{}", Eval("(Observation.value as Period).unit", obs));
        var ordered = new EvaluationEnvironment { CheckOrderedFunctions = true };
        Assert.Throws<FhirPathException>(() => Eval("Patient.children().skip(1)", env: ordered));
        Assert.Throws<FhirPathException>(() => Eval("Patient.descendants()[0]", env: ordered));
        Assert.Equal("Jim", Eval("Patient.name.skip(1).given.first()", env: ordered));
        Assert.NotEqual("{}", Eval("Patient.children().skip(1)"));
    }

    [Fact]
    public void Compiled_expressions_are_thread_safe()
    {
        var json = File.ReadAllText(Path.Combine(FhirDefinitions.Default.PackageDirectory, "Patient-example.json"));
        var expr = FhirPathEngine.Compile("Patient.name.where(use != 'old').select(given.first() & ' ' & family.first()).join(', ')");
        var expected = Eval(expr.Expression);
        var results = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 200, i =>
        {
            var node = i % 2 == 0 ? Patient : ElementNode.Parse(json); // shared and fresh trees
            results.Add(Values.Format(expr.Evaluate(node).Single())!);
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Caches_compiled_expressions() =>
        Assert.Same(FhirPathEngine.Compile("Patient.name.family"), FhirPathEngine.Compile("Patient.name.family"));

    [Fact]
    public void Choice_json_names_are_lenient_but_rejected_in_strict_mode()
    {
        var obs = ElementNode.Parse("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":5,"unit":"mg"}}""");
        Assert.Equal("5", Eval("Observation.valueQuantity.value", obs));
        Assert.Equal("{}", Eval("Observation.valueString", obs));
        Assert.Throws<FhirPathException>(() => Eval("Observation.valueQuantity", obs, new EvaluationEnvironment { Strict = true }));
        Assert.Throws<FhirPathException>(() => Eval("Observation.bogus", obs, new EvaluationEnvironment { Strict = true }));
        Assert.Equal("{}", Eval("Observation.bogus", obs));
        Assert.Equal("5", Eval("(Observation.value as Quantity).value", obs));
        Assert.Equal("mg", Eval("Observation.value.ofType(Quantity).unit", obs));
    }

    [Fact]
    public void Resolves_contained_bundle_and_external_references()
    {
        var bundle = ElementNode.Parse("""
        {"resourceType":"Bundle","type":"collection","entry":[
          {"fullUrl":"http://x/Patient/1","resource":{"resourceType":"Patient","id":"1","name":[{"family":"A"}]}},
          {"fullUrl":"urn:uuid:abc","resource":{"resourceType":"Patient","id":"2","name":[{"family":"B"}]}},
          {"fullUrl":"http://x/Observation/o","resource":{"resourceType":"Observation","id":"o","status":"final","code":{"text":"c"},
            "contained":[{"resourceType":"Practitioner","id":"pr","name":[{"family":"Doc"}]}],
            "performer":[{"reference":"#pr"},{"reference":"urn:uuid:abc"},{"reference":"Practitioner/ext"}],
            "subject":{"reference":"Patient/1"}}}]}
        """);
        var obs = bundle.Children("entry").Last().Child("resource")!;
        Assert.Equal("A", Eval("Observation.subject.resolve().name.family", obs));
        Assert.Equal("Doc|B", Eval("Observation.performer.resolve().name.family", obs));
        var env = new EvaluationEnvironment
        {
            ExternalResolver = r => r == "Practitioner/ext"
                ? ElementNode.Parse("""{"resourceType":"Practitioner","id":"ext","name":[{"family":"Ext"}]}""") : null,
        };
        Assert.Equal("Doc|B|Ext", Eval("Observation.performer.resolve().name.family", obs, env));
        Assert.Equal("true", Eval("Observation.subject.resolve() is Patient", obs));
        // a Bundle entry is its own %rootResource; a contained resource's root is its container
        Assert.Equal("o", Eval("%resource.id", obs.Child("code")!));
        Assert.Equal("o", Eval("%rootResource.id", obs.Children("contained").First().Child("name")!));
        Assert.Equal("pr", Eval("%resource.id", obs.Children("contained").First().Child("name")!));
    }

    [Fact]
    public void Environment_variables_and_terminology_hooks()
    {
        Assert.Equal("http://loinc.org", Eval("%loinc"));
        Assert.Equal("http://hl7.org/fhir/ValueSet/administrative-gender", Eval("%`vs-administrative-gender`"));
        Assert.Equal("http://hl7.org/fhir/StructureDefinition/patient-birthTime", Eval("%`ext-patient-birthTime`"));
        var env = new EvaluationEnvironment { ValueSetMembership = (vs, system, code) => vs.EndsWith("administrative-gender") ? code is "male" or "female" : null };
        env.Variables["limit"] = [2];
        Assert.Equal("true", Eval("Patient.gender.memberOf(%`vs-administrative-gender`)", env: env));
        Assert.Equal("{}", Eval("Patient.gender.memberOf('http://other')", env: env));
        Assert.Equal("Peter|James", Eval("Patient.name.given.take(%limit)", env: env));
        Assert.Throws<FhirPathException>(() => Eval("%undefined"));
        Assert.Equal("example", Eval("%context.id"));
        Assert.Equal("Peter|Peter", Eval("Patient.name.given.where($this = %context.name.given.first())"));
    }

    [Fact]
    public void Html_checks_reject_scripts_and_event_handlers()
    {
        Assert.Equal("true", Eval("Patient.text.div.htmlChecks()"));
        var bad = ElementNode.Parse("""{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x()</script></div>"}}""");
        Assert.Equal("false", Eval("Patient.text.div.htmlChecks()", bad));
        var onclick = ElementNode.Parse("""{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p onclick=\"x()\">a</p></div>"}}""");
        Assert.Equal("false", Eval("Patient.text.div.htmlChecks()", onclick));
    }

    [Fact]
    public void Resource_variables_inside_contained_resources()
    {
        var p = ElementNode.Parse("""{"resourceType":"Patient","id":"outer","contained":[{"resourceType":"Organization","id":"inner","name":"Org"}],"managingOrganization":{"reference":"#inner"}}""");
        var org = p.Child("contained")!;
        Assert.Equal("inner", Eval("%resource.id", org.Child("name")!));
        Assert.Equal("outer", Eval("%rootResource.id", org.Child("name")!));
        Assert.Equal("Org", Eval("Patient.managingOrganization.resolve().name", p));
    }
}
