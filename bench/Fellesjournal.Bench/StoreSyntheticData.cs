using System.Text;

namespace Fellesjournal.Bench;

/// <summary>Synthetic import data: one Patient per nine Observations, shaped like typical lab data.</summary>
public static class StoreSyntheticData
{
    public static (string Type, string Id, byte[] Json)[] Create(int count, int seed = 42)
    {
        var rnd = new Random(seed);
        var items = new (string, string, byte[])[count];
        string[] families = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Østby", "Søreide"];
        string[] givens = ["Åse", "Ola", "Kari", "Jens", "Ingrid", "Per", "Nora", "Emil", "Sofie", "Jakob"];
        (string Code, string Display, string Unit, double Mean)[] codes =
        [
            ("8480-6", "Systolic blood pressure", "mm[Hg]", 125), ("8462-4", "Diastolic blood pressure", "mm[Hg]", 80),
            ("8310-5", "Body temperature", "Cel", 37), ("29463-7", "Body weight", "kg", 75), ("2339-0", "Glucose", "mmol/L", 5.5),
        ];
        var patient = 0;
        for (var i = 0; i < count; i++)
        {
            string json, type, id;
            if (i % 10 == 0)
            {
                patient = i / 10;
                type = "Patient";
                id = "pat-" + patient;
                json = $$"""{"resourceType":"Patient","id":"{{id}}","identifier":[{"system":"urn:oid:2.16.578.1.12.4.1.4.1","value":"{{10000000000L + patient}}"}],"active":true,"name":[{"use":"official","family":"{{families[rnd.Next(families.Length)]}}","given":["{{givens[rnd.Next(givens.Length)]}}"]}],"telecom":[{"system":"phone","value":"+47 {{rnd.Next(40000000, 99999999)}}"}],"gender":"{{(rnd.Next(2) == 0 ? "female" : "male")}}","birthDate":"{{1930 + rnd.Next(90)}}-{{1 + rnd.Next(12):D2}}-{{1 + rnd.Next(28):D2}}","address":[{"line":["Storgata {{rnd.Next(1, 200)}}"],"city":"Oslo","postalCode":"0{{rnd.Next(150, 999)}}","country":"NO"}]}""";
            }
            else
            {
                var c = codes[rnd.Next(codes.Length)];
                type = "Observation";
                id = "obs-" + i;
                var value = Math.Round(c.Mean * (0.8 + rnd.NextDouble() * 0.4), 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                json = $$$"""{"resourceType":"Observation","id":"{{{id}}}","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"{{{c.Code}}}","display":"{{{c.Display}}}"}],"text":"{{{c.Display}}}"},"subject":{"reference":"Patient/pat-{{{patient}}}"},"effectiveDateTime":"2024-{{{1 + rnd.Next(12):D2}}}-{{{1 + rnd.Next(28):D2}}}T{{{rnd.Next(24):D2}}}:{{{rnd.Next(60):D2}}}:00+01:00","valueQuantity":{"value":{{{value}}},"unit":"{{{c.Unit}}}","system":"http://unitsofmeasure.org","code":"{{{c.Unit}}}"}}""";
            }
            items[i] = (type, id, Encoding.UTF8.GetBytes(json));
        }
        return items;
    }
}
