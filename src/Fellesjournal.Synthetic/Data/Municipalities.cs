namespace Fellesjournal.Synthetic.Data;

/// <summary>A municipality (kommune, 2024 numbering) with postcodes and postal places.</summary>
internal sealed record Municipality(string Number, string Name, double Weight, string Hospital, (string Code, string Place)[] Postcodes);

/// <summary>
/// A representative set of municipalities. Weights are the population (thousands, 1 January 2024, SSB table 07459,
/// rounded) of the city, and for the small and medium municipalities the population of the similar municipalities they stand for (together the remaining ~2.9 million),
/// so about 36 % live in the ten largest municipalities and 47 % in the 22 listed towns, as in Norway. Postcodes and postal places from Posten's
/// public postcode register; kommunenummer from SSB's classification of municipalities (KLASS 131).
/// Hospital: key of the health trust (helseforetak) serving the area.
/// </summary>
internal static class Municipalities
{
    public static readonly Municipality[] All =
    [
        new("0301", "Oslo", 718, "ous", [("0150", "OSLO"), ("0250", "OSLO"), ("0354", "OSLO"), ("0460", "OSLO"), ("0557", "OSLO"), ("0661", "OSLO"), ("0770", "OSLO"), ("0870", "OSLO"), ("0975", "OSLO"), ("1150", "OSLO"), ("1255", "OSLO")]),
        new("4601", "Bergen", 289, "helse-bergen", [("5003", "BERGEN"), ("5006", "BERGEN"), ("5031", "BERGEN"), ("5063", "BERGEN"), ("5089", "BERGEN"), ("5144", "FYLLINGSDALEN"), ("5221", "NESTTUN")]),
        new("5001", "Trondheim", 214, "st-olavs", [("7010", "TRONDHEIM"), ("7030", "TRONDHEIM"), ("7043", "TRONDHEIM"), ("7067", "TRONDHEIM"), ("7089", "HEIMDAL")]),
        new("1103", "Stavanger", 146, "helse-stavanger", [("4005", "STAVANGER"), ("4010", "STAVANGER"), ("4021", "STAVANGER"), ("4041", "HAFRSFJORD")]),
        new("3201", "Bærum", 130, "vestre-viken", [("1337", "SANDVIKA"), ("1344", "HASLUM"), ("1350", "LOMMEDALEN"), ("1358", "JAR")]),
        new("4204", "Kristiansand", 116, "sorlandet", [("4608", "KRISTIANSAND S"), ("4614", "KRISTIANSAND S"), ("4631", "KRISTIANSAND S"), ("4639", "KRISTIANSAND S")]),
        new("3301", "Drammen", 103, "vestre-viken", [("3015", "DRAMMEN"), ("3019", "DRAMMEN"), ("3040", "DRAMMEN")]),
        new("3203", "Asker", 96, "vestre-viken", [("1383", "ASKER"), ("1388", "BORGEN"), ("1396", "BILLINGSTAD")]),
        new("3205", "Lillestrøm", 91, "ahus", [("2000", "LILLESTRØM"), ("2007", "KJELLER"), ("2010", "STRØMMEN")]),
        new("3107", "Fredrikstad", 84, "ostfold", [("1606", "FREDRIKSTAD"), ("1613", "FREDRIKSTAD"), ("1634", "GAMLE FREDRIKSTAD")]),
        new("1108", "Sandnes", 83, "helse-stavanger", [("4306", "SANDNES"), ("4313", "SANDNES"), ("4318", "SANDNES")]),
        new("5501", "Tromsø", 78, "unn", [("9008", "TROMSØ"), ("9011", "TROMSØ"), ("9019", "TROMSØ"), ("9024", "TOMASJORD")]),
        new("1508", "Ålesund", 67, "helse-more", [("6002", "ÅLESUND"), ("6009", "ÅLESUND"), ("6017", "ÅSESTRANDA")]),
        new("3905", "Tønsberg", 58, "vestfold", [("3110", "TØNSBERG"), ("3117", "TØNSBERG"), ("3125", "TØNSBERG")]),
        new("3105", "Sarpsborg", 58, "ostfold", [("1706", "SARPSBORG"), ("1711", "SARPSBORG"), ("1723", "SARPSBORG")]),
        new("4003", "Skien", 56, "telemark", [("3711", "SKIEN"), ("3716", "SKIEN"), ("3732", "SKIEN")]),
        new("1804", "Bodø", 53, "nordland", [("8006", "BODØ"), ("8012", "BODØ"), ("8021", "BODØ")]),
        new("1106", "Haugesund", 38, "fonna", [("5527", "HAUGESUND"), ("5532", "HAUGESUND")]),
        new("4626", "Øygarden", 39, "helse-bergen", [("5337", "RONG"), ("5353", "STRAUME")]),
        new("3403", "Hamar", 32, "innlandet", [("2317", "HAMAR"), ("2322", "RIDABU")]),
        new("1506", "Molde", 32, "helse-more", [("6413", "MOLDE"), ("6415", "MOLDE")]),
        new("5503", "Harstad", 25, "unn", [("9405", "HARSTAD"), ("9406", "HARSTAD")]),
        // Small and rural municipalities; the weight is the population of similar municipalities they stand for.
        new("3446", "Gran", 550, "innlandet", [("2750", "GRAN"), ("2760", "BRANDBU")]),
        new("4617", "Kvinnherad", 500, "fonna", [("5470", "ROSENDAL"), ("5457", "HØYLANDSBYGD")]),
        new("5054", "Indre Fosen", 500, "st-olavs", [("7100", "RISSA"), ("7120", "LEKSVIK")]),
        new("1516", "Ulstein", 430, "helse-more", [("6065", "ULSTEINVIK")]),
        new("1820", "Alstahaug", 430, "nordland", [("8800", "SANDNESSJØEN")]),
        new("1832", "Hemnes", 330, "nordland", [("8646", "KORGEN"), ("8640", "HEMNESBERGET")]),
        new("1856", "Røst", 120, "nordland", [("8064", "RØST")]),
        new("1151", "Utsira", 50, "fonna", [("5547", "UTSIRA")]),
    ];

    /// <summary>Common street names (names found in most Norwegian towns).</summary>
    public static readonly string[] Streets =
    [
        "Storgata", "Kirkeveien", "Skolegata", "Parkveien", "Solbakken", "Bjørkeveien", "Granveien", "Furuveien",
        "Kongens gate", "Dronningens gate", "Fjordgata", "Sjøgata", "Haugveien", "Løkkeveien", "Nygårdsveien", "Åsveien",
        "Bakkegata", "Møllerveien", "Strandveien", "Eikeveien", "Lyngveien", "Rognveien", "Tunveien", "Gårdsveien",
        "Fjellveien", "Kløverveien", "Bøkeveien", "Søndre gate", "Nordre gate", "Ringveien",
    ];
}
