// Tensors in C#: a 4-D bfloat16 conv weight and a strided float64 view, borrowed zero-copy.
using System;
using Datasparse;

static class ReadmeTensors {
    static void Main() {
        // A conv weight, kh x kw x in x out (TensorFlow's layout), in bfloat16: the upper 16 bits of a float.
        var conv = new ushort[3 * 3 * 32 * 64];
        for (int i = 0; i < conv.Length; ++i)
            conv[i] = (ushort)(BitConverter.ToUInt32(BitConverter.GetBytes((float)Math.Sin(i)), 0) >> 16);
        // A 100 x 300 float64 table whose columns 100..199 are sparsified: a view, 300 elements a row.
        var table = new double[100 * 300];
        for (int i = 0; i < table.Length; ++i) table[i] = Math.Cos(i);

        using (var defaults = new Config { ["sparsity_level"] = 0.5 })
        using (var sparsifier = new DataNormSparsifier(Norm.L1, defaults)) {
            sparsifier.AddData("conv", conv.AsMemory(), DType.BFloat16, 3, 3, 32, 64);  // sparsified as 288 x 64
            var columns = new TensorDesc(DType.Float64, new long[] { 100, 100 }, 300);
            sparsifier.AddData("columns", table.AsMemory(100), columns);  // element (0, 0) is table[100]
            sparsifier.Step();

            TensorDesc desc = sparsifier.GetDesc("conv");
            byte[] mask = sparsifier.GetMask("conv");  // row-major in the tensor's own shape
            Console.WriteLine("{0}: sparsity {1:F3}, mask[1, 2, 5, 7] = {2}", desc, sparsifier.GetSparsity("conv"),
                              mask[desc.Index(1, 2, 5, 7)]);
            sparsifier.SquashAll();  // zeros written into the arrays, in their own type
        }
        int inside = 0, outside = 0;
        for (int i = 0; i < table.Length; ++i)
            if (table[i] == 0) {
                if (i % 300 >= 100 && i % 300 < 200) ++inside;
                else ++outside;
            }
        Console.WriteLine("{0} zeros in the view, {1} outside", inside, outside);
    }
}
