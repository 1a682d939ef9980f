package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.datasparse.BuiltinSchedule;
import org.datasparse.CallbackException;
import org.datasparse.Config;
import org.datasparse.CorruptStateException;
import org.datasparse.DType;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.DataSparsifier;
import org.datasparse.DataView;
import org.datasparse.DatasparseFailure;
import org.datasparse.FileException;
import org.datasparse.MaskView;
import org.datasparse.Norm;
import org.datasparse.Schedule;
import org.datasparse.Status;
import org.datasparse.TensorDesc;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The shared table of tests/bindings/policy.txt, in Java: each case fails (or not) as the table says. */
class PolicyTableTest {
  /** One row of the table. */
  record Row(String name, String status, String kind) {}

  static List<Row> table() throws IOException {
    String path = System.getProperty("datasparse.policy.table");
    assertTrue(path != null, "-Ddatasparse.policy.table=<tests/bindings/policy.txt> is set");
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(path))) {
      String text = line.replaceAll("#.*", "").trim();
      if (text.isEmpty()) continue;
      String[] cols = text.split("\\s+");
      assertEquals(4, cols.length, "four columns: " + line);
      if (cols[3].equals("all") || List.of(cols[3].split(",")).contains("java"))
        rows.add(new Row(cols[0], cols[1], cols[2]));
    }
    return rows;
  }

  /** What a case may use; everything is closed afterwards. */
  static final class Fixture implements AutoCloseable {
    final List<AutoCloseable> owned = new ArrayList<>();
    Throwable thrownByCallback;

    <T extends AutoCloseable> T own(T object) {
      owned.add(object);
      return object;
    }

    DataNormSparsifier sparsifier() {
      DataNormSparsifier sparsifier = own(new DataNormSparsifier());
      sparsifier.addData("w", TestData.sine(8, 0), 2, 4);
      return sparsifier;
    }

    @Override
    public void close() {
      for (int i = owned.size() - 1; i >= 0; --i) {
        try {
          owned.get(i).close();
        } catch (Exception e) {
          throw new AssertionError("closing " + owned.get(i), e);
        }
      }
    }
  }

  interface Case {
    void run(Fixture f) throws Throwable;
  }

  static final Map<String, Case> CASES = new LinkedHashMap<>();

  static {
    CASES.put("add_data_with_a_dot_in_the_name", f -> f.sparsifier().addData("a.b", new float[4], 2, 2));
    CASES.put("config_value_nan", f -> f.own(new Config()).set("level", Double.NaN));
    CASES.put("set_param_more_zeros_than_the_block", f -> f.sparsifier().setParam("w", "zeros_per_block", 5));
    CASES.put("reuse_mask_with_another_shape", f -> f.sparsifier().addData("w", new float[8], 4, 2, null, true));
    CASES.put("get_mask_of_an_unknown_item", f -> f.sparsifier().getMask("nope"));
    CASES.put("remove_an_unknown_item", f -> f.sparsifier().removeData("nope"));
    CASES.put("config_get_of_an_absent_key", f -> f.own(new Config()).get("nope"));
    CASES.put("get_mask_after_squash", f -> {
      DataNormSparsifier sparsifier = f.sparsifier();
      sparsifier.squashAll();
      sparsifier.getMask("w");
    });
    CASES.put("scheduler_step_after_its_sparsifier_closed", f -> {
      DataNormSparsifier sparsifier = f.sparsifier();
      DataScheduler scheduler = f.own(new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.gamma(2, 1)));
      sparsifier.close();
      scheduler.step();
    });
    CASES.put("step_a_closed_sparsifier", f -> {
      DataNormSparsifier sparsifier = f.sparsifier();
      sparsifier.close();
      sparsifier.step();
    });
    CASES.put("closed_config_as_defaults", f -> {
      Config config = new Config().with("sparsity_level", 0.9);
      config.close();
      f.own(new DataNormSparsifier(Norm.L1, config));
    });
    CASES.put("closed_config_as_an_items_config", f -> {
      Config config = new Config().with("sparsity_level", 0.9);
      config.close();
      f.sparsifier().addData("v", new float[4], 1, 4, config);
    });
    CASES.put("closed_sparsifier_given_to_a_scheduler", f -> {
      DataNormSparsifier sparsifier = f.sparsifier();
      sparsifier.close();
      f.own(new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.gamma(2, 1)));
    });
    CASES.put("closed_schedule_given_to_a_scheduler", f -> {
      BuiltinSchedule gamma = BuiltinSchedule.gamma(2, 1);
      gamma.close();
      f.own(new DataScheduler(f.sparsifier(), "sparsity_level", gamma));
    });
    CASES.put("view_used_after_its_callback", f -> {
      DataView[] kept = new DataView[1];
      DataSparsifier sparsifier = f.own(new DataSparsifier() {
        @Override
        public void updateMask(String name, DataView data, Config config, MaskView mask) {
          kept[0] = data;
        }
      });
      sparsifier.addData("w", new float[4], 1, 4);
      sparsifier.step();
      kept[0].get(0, 0);
    });
    CASES.put("schedule_throws", f -> {
      ArithmeticException thrown = new ArithmeticException("thrown by the schedule");
      f.thrownByCallback = thrown;
      f.own(new DataScheduler(f.sparsifier(), "sparsity_level", new Schedule() {
        @Override
        public double compute(String name, long epoch, double base, double current) {
          throw thrown;
        }
      }));
    });
    CASES.put("load_bytes_that_are_not_a_state", f -> f.sparsifier().loadFromBytes(new byte[] {1, 2, 3, 4, 5}));
    CASES.put("load_a_missing_file", f -> f.sparsifier().load(Path.of("/nonexistent/dir/state.bin")));
    CASES.put("null_name", f -> f.sparsifier().getMask(null));
    CASES.put("add_tensor_with_a_negative_size", f -> f.sparsifier().addData("t", new double[8], 2, -4));
    CASES.put("add_tensor_with_too_many_dimensions",
        f -> f.sparsifier().addData("t", new double[1], 1, 1, 1, 1, 1, 1, 1, 1, 1));
    CASES.put("add_tensor_shorter_than_its_shape",
        f -> f.sparsifier().addData("t", new short[7], DType.FLOAT16, 2, 4));
    CASES.put("add_tensor_of_another_element_type",
        f -> f.sparsifier().addData("t", new float[8], new TensorDesc(DType.FLOAT64, 2, 4)));
    CASES.put("get_data_in_another_element_type", f -> f.sparsifier().getDoubleData("w", true));
    CASES.put("squash_an_empty_list_of_names", f -> {
      FloatBuffer data = TestData.direct(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
      DataNormSparsifier sparsifier = f.own(new DataNormSparsifier());
      sparsifier.addData("w", data, 2, 4);
      sparsifier.step();
      sparsifier.squashMask(List.of());
      sparsifier.squashMask(new String[0], true);
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, TestData.toArray(data));
      assertFalse(sparsifier.isSquashed("w"));
    });
  }

  /** The Java exception class of each kind of the table. */
  static final Map<String, Class<? extends Throwable>> KINDS = Map.of(
      "argument", IllegalArgumentException.class,
      "not_found", NoSuchElementException.class,
      "state", IllegalStateException.class,
      "closed", IllegalStateException.class,
      "callback", CallbackException.class,
      "corrupt", CorruptStateException.class,
      "io", FileException.class,
      "null", NullPointerException.class);

  @Test
  void everyCaseOfTheTableIsImplementedAndNoOther() throws IOException {
    TreeSet<String> inTable = new TreeSet<>();
    for (Row row : table()) inTable.add(row.name());
    assertEquals(inTable, new TreeSet<>(CASES.keySet()));
  }

  @TestFactory
  List<DynamicTest> eachCaseFailsAsTheTableSays() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Row row : table()) tests.add(DynamicTest.dynamicTest(row.name(), () -> check(row)));
    return tests;
  }

  static void check(Row row) {
    Case call = CASES.get(row.name());
    assertTrue(call != null, "no Java implementation of " + row.name());
    try (Fixture f = new Fixture()) {
      if (row.kind().equals("none")) {
        try {
          call.run(f);
        } catch (Throwable e) {
          fail(row.name() + " must not throw, threw " + e);
        }
        return;
      }
      Class<? extends Throwable> type = KINDS.get(row.kind());
      assertTrue(type != null, "unknown kind " + row.kind());
      Throwable e = assertThrows(type, () -> call.run(f), row.name());
      if (row.status().equals("-")) {
        assertFalse(e instanceof DatasparseFailure, e.toString());
        return;
      }
      assertTrue(e instanceof DatasparseFailure, e + " carries a status");
      assertEquals(Status.valueOf(row.status()), ((DatasparseFailure) e).getStatus(), e.toString());
      if (row.kind().equals("closed"))
        assertTrue(e.getMessage().matches("[A-Z][A-Za-z]* was closed|a [A-Z][A-Za-z]* is only valid .*"),
            "the message names the class: " + e.getMessage());
      if (row.kind().equals("callback")) assertSame(f.thrownByCallback, e.getCause());
      if (row.kind().equals("corrupt") || row.kind().equals("io")) assertTrue(e instanceof IOException);
    }
  }
}
