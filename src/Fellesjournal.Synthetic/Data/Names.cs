namespace Fellesjournal.Synthetic.Data;

/// <summary>
/// Norwegian names. Source: Statistics Norway (SSB), "Navn" statistics 2023/2024: the most common surnames and the
/// most common given names in the population (older cohorts) and among newborns (younger cohorts). Listed in rough
/// order of frequency; the generator weights them by 1/(rank + 3) (a Zipf-like fall-off).
/// </summary>
internal static class Names
{
    public static readonly string[] Surnames =
    [
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen",
        "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl",
        "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand",
        "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie",
        "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim", "Berge", "Moe", "Nygård", "Bakke",
        "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge", "Christensen", "Andresen", "Nielsen", "Knudsen", "Evensen",
        "Sæther", "Aas", "Myhre", "Hanssen", "Ahmed", "Haugland", "Thomassen", "Sivertsen", "Simonsen", "Danielsen",
        "Berntsen", "Sandvik", "Rønning", "Arnesen", "Antonsen", "Næss", "Vik", "Haug", "Ellingsen", "Thorsen",
        "Edvardsen", "Birkeland", "Isaksen", "Gulbrandsen", "Ruud", "Aasen", "Strøm", "Myklebust", "Tangen", "Ødegård",
        "Eliassen", "Helland", "Bøe", "Aune", "Mikkelsen", "Tveit", "Brekke", "Abrahamsen", "Madsen", "Øien",
    ];

    /// <summary>Given names common among people born before 1960.</summary>
    public static readonly string[] FemaleOld = ["Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Randi", "Solveig", "Gunn", "Turid", "Ragnhild", "Åse", "Kirsten", "Else", "Sigrid", "Gerd"];
    public static readonly string[] MaleOld = ["Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Hans", "Odd", "Terje", "Tor", "Rolf", "Nils", "Harald", "Olav", "Leif", "Egil", "Øystein"];
    /// <summary>Born 1960-1994.</summary>
    public static readonly string[] FemaleMid = ["Hilde", "Marianne", "Nina", "Anne", "Elisabeth", "Kristin", "Camilla", "Silje", "Ida", "Ingrid", "Linda", "Tone", "Hege", "Mette", "Marte", "Stine", "Kristine", "Maria", "Heidi", "Trine"];
    public static readonly string[] MaleMid = ["Thomas", "Geir", "Morten", "Martin", "Andreas", "Erik", "Kristian", "Espen", "Jørgen", "Anders", "Stian", "Tommy", "Rune", "Øyvind", "Marius", "Daniel", "Fredrik", "Kjetil", "Trond", "Håkon"];
    /// <summary>Born 1995 or later (SSB's lists of newborns' names).</summary>
    public static readonly string[] FemaleYoung = ["Nora", "Emma", "Olivia", "Ella", "Sofie", "Leah", "Frida", "Ingrid", "Sara", "Maja", "Astrid", "Ellinor", "Vilde", "Thea", "Emilie", "Hedda", "Selma", "Sigrid", "Tiril", "Ada"];
    public static readonly string[] MaleYoung = ["Jakob", "Noah", "Emil", "Lucas", "Oliver", "Isak", "William", "Filip", "Aksel", "Theodor", "Magnus", "Johannes", "Henrik", "Liam", "Elias", "Mathias", "Sander", "Tobias", "Håkon", "Ludvig"];

    /// <summary>Names for D-number holders (labour immigrants from Poland and Lithuania are the largest groups).</summary>
    public static readonly string[] SurnamesForeign = ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius"];
    public static readonly string[] FemaleForeign = ["Anna", "Katarzyna", "Agnieszka", "Magdalena", "Rūta", "Jurgita"];
    public static readonly string[] MaleForeign = ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Tomas", "Mindaugas"];
}
