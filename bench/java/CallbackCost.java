// The cost of one Java schedule callback: a scheduler step over N tiny items
// calls the schedule N times. Timed with a Java Schedule (one JNI upcall per
// item) and, interleaved round by round, with the same formula as a built-in
// schedule (native); the difference per call is what crossing into Java costs.
// Run: java -cp datasparse.jar CallbackCost.java [items] [steps per round]
import java.util.Arrays;
import org.datasparse.*;

public class CallbackCost {
  /** The built-in gamma(1.0, 0.9) written in Java. */
  static final class JavaGamma extends Schedule {
    @Override
    public double compute(String name, long epoch, double base, double current) {
      return epoch == 0 ? base : Math.min(0.9, current * 1.0);
    }
  }

  /** Drops the library's messages (stepping only the scheduler warns once). */
  static final class Quiet extends LogHandler {
    @Override
    public void log(LogLevel level, String message) {}
  }

  static final int ROUNDS = 15, WARMUP = 3;

  /** Nanoseconds per item per scheduler step, over `steps` steps. */
  static double time(DataScheduler scheduler, int items, int steps) {
    long start = System.nanoTime();
    for (int s = 0; s < steps; ++s) scheduler.step();
    return (double) (System.nanoTime() - start) / ((double) steps * items);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  public static void main(String[] args) {
    Library.setLogHandler(new Quiet());
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    try (Config defaults = new Config().with("sparsity_level", 0.5);
         DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L1, defaults);
         BuiltinSchedule gamma = BuiltinSchedule.gamma(1.0, 0.9)) {
      for (int i = 0; i < items; ++i) sparsifier.addData("item" + i, new float[] {1, 2, 3, 4}, 1, 4);
      sparsifier.step();
      try (DataScheduler javaScheduler = new DataScheduler(sparsifier, "sparsity_level", new JavaGamma());
           DataScheduler nativeScheduler = new DataScheduler(sparsifier, "sparsity_level", gamma)) {
        double[] java = new double[ROUNDS], builtin = new double[ROUNDS], extra = new double[ROUNDS];
        for (int r = -WARMUP; r < ROUNDS; ++r) {
          double j = time(javaScheduler, items, steps);
          double b = time(nativeScheduler, items, steps);
          if (r >= 0) {
            java[r] = j;
            builtin[r] = b;
            extra[r] = j - b;
          }
        }
        System.out.printf("%d items, %d scheduler steps per round, medians of %d rounds%n", items, steps, ROUNDS);
        System.out.printf("Java schedule:     %8.1f ns per item per step%n", median(java));
        System.out.printf("built-in schedule: %8.1f ns per item per step%n", median(builtin));
        System.out.printf("one Java callback call costs %.1f ns more than the built-in schedule%n", median(extra));
      }
    }
  }
}
