namespace Fellesjournal.Server.Cli;

public static class ValidateCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("Not available yet.");
        return Task.FromResult(3);
    }
}
