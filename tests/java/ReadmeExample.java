// The seed's flow in Java: a custom gamma schedule, a training-like loop.
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.Library;
import org.datasparse.LogHandler;
import org.datasparse.LogLevel;
import org.datasparse.Norm;
import org.datasparse.Schedule;

public class ReadmeExample {
  /** Epoch 0: the base value; then the current value times gamma, capped. */
  static final class Gamma extends Schedule {
    private final double gamma, threshold;

    Gamma(double gamma, double threshold) {
      this.gamma = gamma;
      this.threshold = threshold;
    }

    @Override
    public double compute(String name, long epoch, double base, double current) {
      return epoch == 0 ? base : Math.min(threshold, current * gamma);
    }
  }

  /** Re-adding a batch under the same name warns (as PyTorch does): count them. */
  static final class CountWarnings extends LogHandler {
    int warnings;

    @Override
    public void log(LogLevel level, String message) {
      if (level == LogLevel.WARNING) ++warnings;
    }
  }

  public static void main(String[] args) {
    final int rows = 32, cols = 64;
    CountWarnings log = new CountWarnings();
    Library.setLogHandler(log);
    // Borrowed zero-copy by the sparsifier: a direct buffer in native byte order
    // (a float[] would be copied).
    FloatBuffer batch = ByteBuffer.allocateDirect(Float.BYTES * rows * cols)
        .order(ByteOrder.nativeOrder()).asFloatBuffer();

    try (Config defaults = new Config().with("sparsity_level", 0.1);
         DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L2, defaults)) {
      sparsifier.addData("train_data", batch, rows, cols);
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", new Gamma(2.0, 0.8))) {
        for (int epoch = 0; epoch < 5; ++epoch) {
          for (int step = 0; step < 3; ++step) {
            for (int i = 0; i < rows * cols; ++i) // the next batch
              batch.put(i, (float) Math.sin(0.37 * i + 1.3 * step + epoch));
            sparsifier.addData("train_data", batch, rows, cols);
            // ... forward, backward, optimizer step ...
            sparsifier.step();
          }
          System.out.printf("epoch %d: sparsity_level %.2f, sparsity %.3f%n", epoch,
              sparsifier.getParam("train_data", "sparsity_level"), sparsifier.getSparsity("train_data"));
          scheduler.step();
        }
      }
    } // a failed call throws an exception by meaning (IllegalArgumentException, ...) carrying its Status
    System.out.printf("%d replace warnings%n", log.warnings);
  }
}
