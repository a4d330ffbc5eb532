using System.Globalization;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Recursive-descent parser for FHIRPath N1, one method per precedence level.</summary>
internal sealed class Parser
{
    private readonly List<Token> _t;
    private int _p;

    private Parser(List<Token> tokens) => _t = tokens;

    public static Expr Parse(string expression)
    {
        var p = new Parser(Lexer.Tokenize(expression));
        var e = p.ParseImplies();
        if (p.Peek.Kind != TokenKind.End)
            throw new FhirPathException($"Unexpected {p.Peek} at position {p.Peek.Position}", p.Peek.Position);
        return e;
    }

    private Token Peek => _t[_p];
    private Token Next() => _t[_p++];

    private void Expect(string symbol)
    {
        if (!Peek.Is(symbol))
            throw new FhirPathException($"Expected '{symbol}' but found {Peek} at position {Peek.Position}", Peek.Position);
        _p++;
    }

    private int _depth;
    private const int MaxDepth = 300;

    private Expr ParseImplies()
    {
        // nesting limit: deep recursion would otherwise overflow the stack
        if (++_depth > MaxDepth) throw new FhirPathException("Expression is nested too deeply", Peek.Position);
        try { return ParseImpliesCore(); }
        finally { _depth--; }
    }

    private Expr ParseImpliesCore()
    {
        var l = ParseOr();
        while (Peek.IsKeyword("implies")) { var pos = Next().Position; l = new BinaryExpr("implies", l, ParseOr(), pos); }
        return l;
    }

    private Expr ParseOr()
    {
        var l = ParseAnd();
        while (Peek.IsKeyword("or") || Peek.IsKeyword("xor")) { var t = Next(); l = new BinaryExpr(t.Text, l, ParseAnd(), t.Position); }
        return l;
    }

    private Expr ParseAnd()
    {
        var l = ParseMembership();
        while (Peek.IsKeyword("and")) { var t = Next(); l = new BinaryExpr("and", l, ParseMembership(), t.Position); }
        return l;
    }

    private Expr ParseMembership()
    {
        var l = ParseEquality();
        while (Peek.IsKeyword("in") || Peek.IsKeyword("contains")) { var t = Next(); l = new BinaryExpr(t.Text, l, ParseEquality(), t.Position); }
        return l;
    }

    private Expr ParseEquality()
    {
        var l = ParseInequality();
        while (Peek.Is("=") || Peek.Is("~") || Peek.Is("!=") || Peek.Is("!~")) { var t = Next(); l = new BinaryExpr(t.Text, l, ParseInequality(), t.Position); }
        return l;
    }

    private Expr ParseInequality()
    {
        var l = ParseUnion();
        while (Peek.Is("<") || Peek.Is(">") || Peek.Is("<=") || Peek.Is(">=")) { var t = Next(); l = new BinaryExpr(t.Text, l, ParseUnion(), t.Position); }
        return l;
    }

    private Expr ParseUnion()
    {
        var l = ParseType();
        while (Peek.Is("|")) { var t = Next(); l = new BinaryExpr("|", l, ParseType(), t.Position); }
        return l;
    }

    private Expr ParseType()
    {
        var l = ParseAdditive();
        while (Peek.IsKeyword("is") || Peek.IsKeyword("as"))
        {
            var t = Next();
            l = new TypeExpr(t.Text, l, ParseTypeSpecifier(), t.Position);
        }
        return l;
    }

    private TypeSpec ParseTypeSpecifier()
    {
        var first = Next();
        if (first.Kind is not (TokenKind.Identifier or TokenKind.DelimitedIdentifier))
            throw new FhirPathException($"Expected a type name at position {first.Position}", first.Position);
        if (Peek.Is(".") && _t[_p + 1].Kind is TokenKind.Identifier or TokenKind.DelimitedIdentifier)
        {
            Next();
            return new TypeSpec(first.Text, Next().Text);
        }
        return new TypeSpec(null, first.Text);
    }

    private Expr ParseAdditive()
    {
        var l = ParseMultiplicative();
        while (Peek.Is("+") || Peek.Is("-") || Peek.Is("&")) { var t = Next(); l = new BinaryExpr(t.Text, l, ParseMultiplicative(), t.Position); }
        return l;
    }

    private Expr ParseMultiplicative()
    {
        var l = ParseUnary();
        while (Peek.Is("*") || Peek.Is("/") || Peek.IsKeyword("div") || Peek.IsKeyword("mod"))
        {
            var t = Next();
            l = new BinaryExpr(t.Text, l, ParseUnary(), t.Position);
        }
        return l;
    }

    private Expr ParseUnary()
    {
        if (Peek.Is("+") || Peek.Is("-"))
        {
            var t = Next();
            if (++_depth > MaxDepth) throw new FhirPathException("Expression is nested too deeply", t.Position);
            var operand = ParseUnary();
            _depth--;
            return t.Text == "-" ? new NegateExpr(operand, t.Position) : operand;
        }
        return ParsePostfix();
    }

    private Expr ParsePostfix()
    {
        var e = ParseTerm();
        for (var length = 0; ; length++)
        {
            if (length > MaxDepth) throw new FhirPathException("Expression path is too long", Peek.Position);
            if (Peek.Is("."))
            {
                Next();
                e = new InvokeExpr(e, ParseInvocation(false));
            }
            else if (Peek.Is("["))
            {
                var t = Next();
                var idx = ParseImplies();
                Expect("]");
                e = new IndexerExpr(e, idx, t.Position);
            }
            else return e;
        }
    }

    /// <summary>An identifier or function call; <paramref name="atRoot"/> when it starts a path.</summary>
    private MemberExpr ParseInvocation(bool atRoot)
    {
        var t = Next();
        if (t.Kind is not (TokenKind.Identifier or TokenKind.DelimitedIdentifier))
            throw new FhirPathException($"Expected an identifier but found {t} at position {t.Position}", t.Position);
        if (t.Kind == TokenKind.Identifier && Peek.Is("("))
        {
            Next();
            var args = new List<Expr>();
            if (!Peek.Is(")"))
            {
                args.Add(ParseImplies());
                while (Peek.Is(",")) { Next(); args.Add(ParseImplies()); }
            }
            Expect(")");
            return FunctionExpr.Create(t.Text, args, t.Position);
        }
        return new IdentifierExpr(t.Text, atRoot, t.Position);
    }

    private Expr ParseTerm()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Symbol when t.Text == "(":
            {
                Next();
                var e = ParseImplies();
                Expect(")");
                return e;
            }
            case TokenKind.Symbol when t.Text == "{":
                Next();
                Expect("}");
                return new LiteralExpr(null);
            case TokenKind.String:
                Next();
                return new LiteralExpr(t.Text);
            case TokenKind.Number:
                Next();
                return ParseNumber(t);
            case TokenKind.DateTime:
            {
                Next();
                var text = t.Text;
                // "@2015T" is a DateTime of year precision: drop the T for parsing but keep the kind
                var hasT = text.Contains('T');
                var parseText = text.EndsWith('T') ? text[..^1] : text;
                if (!PartialDateTime.TryParse(parseText, out var dt))
                    throw new FhirPathException($"Invalid date/time literal '@{text}'", t.Position);
                return new LiteralExpr(dt with { HasTime = hasT });
            }
            case TokenKind.Time:
                Next();
                if (!PartialTime.TryParse(t.Text, out var tm))
                    throw new FhirPathException($"Invalid time literal '@T{t.Text}'", t.Position);
                return new LiteralExpr(tm);
            case TokenKind.Variable:
                Next();
                return new VariableExpr(t.Text, t.Position);
            case TokenKind.Special:
                Next();
                return new SpecialExpr(t.Text);
            case TokenKind.Identifier when t.Text is "true" or "false" && !_t[_p + 1].Is("("):
                Next();
                return new LiteralExpr(t.Text == "true");
            case TokenKind.Identifier or TokenKind.DelimitedIdentifier:
                return new InvokeExpr(null, ParseInvocation(true));
            default:
                throw new FhirPathException($"Unexpected {t} at position {t.Position}", t.Position);
        }
    }

    private static readonly HashSet<string> CalendarUnits =
        ["year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "minute", "minutes",
         "second", "seconds", "millisecond", "milliseconds"];

    private Expr ParseNumber(Token t)
    {
        object value;
        if (t.Text.Contains('.'))
        {
            if (!decimal.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                throw new FhirPathException($"Invalid number '{t.Text}'", t.Position);
            value = d;
        }
        else if (int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var i)) value = i;
        else if (long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var l)) value = l;
        else if (decimal.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d2)) value = d2;
        else throw new FhirPathException($"Invalid number '{t.Text}'", t.Position);

        // quantity: a number followed by a unit string or a calendar duration keyword
        if (Peek.Kind == TokenKind.String)
        {
            var unit = Next().Text;
            return new LiteralExpr(new Quantity(Convert.ToDecimal(value, CultureInfo.InvariantCulture), unit));
        }
        if (Peek.Kind == TokenKind.Identifier && CalendarUnits.Contains(Peek.Text))
        {
            var unit = Next().Text;
            return new LiteralExpr(new Quantity(Convert.ToDecimal(value, CultureInfo.InvariantCulture), Quantity.NormalizeCalendar(unit)));
        }
        return new LiteralExpr(value);
    }
}
