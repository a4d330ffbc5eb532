using Fellesjournal.Fhir.Norway;

namespace Fellesjournal.Synthetic.Tests;

public class IdentifierTests
{
    // 150685 123 → k1: 1·3+5·7+0·6+6·1+8·8+5·9+1·4+2·5+3·2 = 173, 173 mod 11 = 8, k1 = 11−8 = 3;
    // k2: 1·5+5·4+0·3+6·2+8·7+5·6+1·5+2·4+3·3+3·2 = 151, 151 mod 11 = 8, k2 = 3.
    [Theory]
    [InlineData("15068512333")]
    [InlineData("01010750160")]   // widely used test number
    [InlineData("15076500565")]   // widely used test number
    public void Classic_fnr_is_valid(string fnr)
    {
        Assert.Equal(CheckDigitRule.Classic, PersonNumber.CheckDigits(fnr));
        Assert.Equal(PersonNumberKind.Fnr, PersonNumber.Classify(fnr));
        Assert.True(PersonNumber.IsValid(fnr, allow2032Rule: false));
    }

    [Theory]
    [InlineData("15068512334")]   // k2 off by one
    [InlineData("15068512343")]   // k1 off by one and k2 recomputed for the classic k1 = 3 → wrong
    [InlineData("1506851233")]    // 10 digits
    [InlineData("1506851233a")]
    [InlineData("")]
    [InlineData("15138512333")]   // month 13 (check digits aside)
    public void Invalid_numbers_are_rejected(string value) => Assert.False(PersonNumber.IsValid(value));

    [Fact]
    public void Rule_2032_allows_k1_variants()
    {
        // Variant 1: k1 = (12 − 8) mod 11 = 4; k2 over 1506851234: 151 − 3·2 + 4·2 = 153, 153 mod 11 = 10, k2 = 1.
        const string variant = "15068512341";
        Assert.Equal(CheckDigitRule.Rule2032, PersonNumber.CheckDigits(variant));
        Assert.True(PersonNumber.IsValid(variant));
        Assert.False(PersonNumber.IsValid(variant, allow2032Rule: false));
        Assert.Equal(variant, PersonNumber.WithCheckDigits("150685123", 1));
        // Variant 2 gives k1 = 5 and then k2 = 10: no valid number.
        Assert.Null(PersonNumber.WithCheckDigits("150685123", 2));
        // Remainder 4 is not one of the four 2032 values.
        Assert.False(PersonNumber.IsValid("15068512350"));
    }

    [Fact]
    public void Rule_2032_gives_numbers_where_the_classic_rule_gives_none()
    {
        Assert.Null(PersonNumber.WithCheckDigits("010190104"));
        var n = PersonNumber.WithCheckDigits("010190104", 1);
        Assert.Equal("01019010488", n);
        Assert.Equal(CheckDigitRule.Rule2032, PersonNumber.CheckDigits(n));
    }

    [Fact]
    public void D_and_H_numbers()
    {
        var d = PersonNumber.Create(new DateOnly(1985, 6, 15), 123, PersonNumberKind.DNumber);
        Assert.Equal("55068512327", d);
        Assert.Equal(PersonNumberKind.DNumber, PersonNumber.Classify(d));
        var h = PersonNumber.Create(new DateOnly(1985, 6, 15), 123, PersonNumberKind.HNumber);
        Assert.Equal("15468512316", h);
        Assert.Equal(PersonNumberKind.HNumber, PersonNumber.Classify(h));
        Assert.False(PersonNumber.IsValidFnr(d));
    }

    [Fact]
    public void Create_matches_hand_computation_and_individual_ranges()
    {
        Assert.Equal("15068512333", PersonNumber.Create(new DateOnly(1985, 6, 15), 123));
        Assert.Equal((0, 499), PersonNumber.IndividualRange(1985));
        Assert.Equal((500, 999), PersonNumber.IndividualRange(2012));
        Assert.Equal((500, 749), PersonNumber.IndividualRange(1880));
    }

    [Theory]
    [InlineData("974705788", true)]    // Akershus universitetssykehus HF (public register)
    [InlineData("923609016", true)]    // Equinor ASA (public register)
    [InlineData("974705789", false)]
    [InlineData("97470578", false)]
    [InlineData("97470578x", false)]
    public void Organisation_numbers(string value, bool valid) => Assert.Equal(valid, OrganisationNumber.IsValid(value));

    [Fact]
    public void Organisation_number_remainder_one_has_no_check_digit()
    {
        // 10000001: 1·3 + 1·2 = 5 → check 6; 10000000 + x where the sum mod 11 is 1: 1·3 + 7·6... search the rule itself.
        var found = 0;
        for (var i = 0; i < 200; i++)
        {
            var first8 = (80000000 + i).ToString();
            var sum = 0;
            int[] w = [3, 2, 7, 6, 5, 4, 3, 2];
            for (var k = 0; k < 8; k++) sum += (first8[k] - '0') * w[k];
            if (sum % 11 != 1) continue;
            found++;
            Assert.Null(OrganisationNumber.CheckDigit(first8));
            for (var c = 0; c <= 9; c++) Assert.False(OrganisationNumber.IsValid(first8 + c));
        }
        Assert.True(found > 0);
    }

    [Theory]
    [InlineData("9144889", true)]
    [InlineData("12345", true)]
    [InlineData("0123456", false)]
    [InlineData("12a4567", false)]
    [InlineData("1234567890", false)]
    public void Hpr_format(string value, bool valid) => Assert.Equal(valid, HprNumber.IsValidFormat(value));
}
