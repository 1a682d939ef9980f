// Tensors in Java: a 4-D bfloat16 conv weight and a strided float64 view, borrowed zero-copy.
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.ShortBuffer;
import org.datasparse.Config;
import org.datasparse.DType;
import org.datasparse.DataNormSparsifier;
import org.datasparse.Norm;
import org.datasparse.TensorDesc;

public class ReadmeTensors {
  static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  public static void main(String[] args) {
    // A conv weight, kh x kw x in x out (TensorFlow's layout), in bfloat16: the upper 16 bits of a float.
    ShortBuffer conv = direct(2 * 3 * 3 * 32 * 64).asShortBuffer();
    for (int i = 0; i < conv.capacity(); ++i)
      conv.put(i, (short) (Float.floatToIntBits((float) Math.sin(i)) >>> 16));
    // A 100 x 300 float64 table whose columns 100..199 are sparsified: a view, 300 elements a row.
    DoubleBuffer table = direct(8 * 100 * 300).asDoubleBuffer();
    for (int i = 0; i < table.capacity(); ++i) table.put(i, Math.cos(i));

    try (Config defaults = new Config().with("sparsity_level", 0.5);
         DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L1, defaults)) {
      sparsifier.addData("conv", conv, DType.BFLOAT16, 3, 3, 32, 64); // sparsified as 288 x 64
      TensorDesc columns = new TensorDesc(DType.FLOAT64, new long[] {100, 100}, 300);
      sparsifier.addData("columns", table.position(100), columns); // element (0, 0) at the position
      sparsifier.step();

      TensorDesc desc = sparsifier.getDesc("conv");
      byte[] mask = sparsifier.getMask("conv"); // row-major in the tensor's own shape
      System.out.printf("%s: sparsity %.3f, mask[1][2][5][7] = %d%n", desc, sparsifier.getSparsity("conv"),
          mask[(int) desc.index(1, 2, 5, 7)]);
      sparsifier.squashAll(); // zeros written into the caller's buffers, in their own type
    }
    int inside = 0, outside = 0;
    for (int i = 0; i < table.capacity(); ++i)
      if (table.get(i) == 0) {
        if (i % 300 >= 100 && i % 300 < 200) ++inside;
        else ++outside;
      }
    System.out.printf("%d zeros in the view, %d outside%n", inside, outside);
  }
}
