using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

/// <summary>A generated resident (the Patient and everything the clinical history needs about them).</summary>
internal sealed class Person
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required DateOnly Birth { get; init; }
    public required bool Male { get; init; }
    public required string Given { get; init; }
    public string? Given2 { get; init; }
    public required string Family { get; set; }
    public required string Pid { get; init; }
    public required bool IsDNumber { get; init; }
    public required Municipality Municipality { get; init; }
    public required string Line { get; init; }
    public required (string Code, string Place) Post { get; init; }
    public required StaffMember Gp { get; init; }
    public string? Phone { get; init; }
    public Person? Mother { get; set; }
    public Person? Father { get; set; }

    public int Age => AgeAt(PopulationGenerator.Today);

    public int AgeAt(DateOnly d)
    {
        var age = d.Year - Birth.Year;
        if (d.Month < Birth.Month || (d.Month == Birth.Month && d.Day < Birth.Day)) age--;
        return age;
    }
}
