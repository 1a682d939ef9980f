// An ordinary program, compiled against Datasparse.dll and run with the
// assembly and the native libraries beside it (app-local deployment, see
// README "From Java, C# and Python"). It prints the assembly's version, the
// native library's, and the sparsity of one step.
using System;
using Datasparse;

static class Program {
    static int Main() {
        var assembly = typeof(Library).Assembly.GetName();
        Console.WriteLine("assembly {0} {1}", assembly.Name, assembly.Version);
        Console.WriteLine("library {0}", Library.Version);
        using (var sparsifier = new DataNormSparsifier(Norm.L1)) {
            sparsifier.AddData("w", new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, 4);
            sparsifier.Step();
            Console.WriteLine("sparsity {0}", sparsifier.GetSparsity("w"));
        }
        return 0;
    }
}
