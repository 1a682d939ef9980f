package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.datasparse.BuiltinSchedule;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.Library;
import org.datasparse.LogHandler;
import org.datasparse.LogLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The library's log messages reach a LogHandler written in Java. */
class LoggingTest {
  static class Recorder extends LogHandler {
    final List<String> messages = new ArrayList<>();

    @Override
    public void log(LogLevel level, String message) {
      messages.add(level + " " + message);
    }
  }

  @AfterEach
  void restoreTheDefault() {
    Library.setLogHandler(null);
  }

  @Test
  void warningsAndVerboseInfoAreDelivered() {
    Recorder recorder = new Recorder();
    Library.setLogHandler(recorder);
    assertSame(recorder, Library.logHandler());
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("x", new float[4], 1, 4);
      sparsifier.addData("x", new float[4], 1, 4);
      assertEquals(1, recorder.messages.size());
      assertTrue(recorder.messages.get(0).startsWith(LogLevel.WARNING + " "), recorder.messages.get(0));
      assertTrue(recorder.messages.get(0).contains("'x'"), recorder.messages.get(0));
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.gamma(2, 1))) {
        scheduler.setVerbose(true);
        sparsifier.step();
        scheduler.step();
        assertTrue(recorder.messages.stream().anyMatch(m -> m.startsWith(LogLevel.INFO + " ")), recorder.messages.toString());
      }
    }
  }

  @Test
  void theInstalledHandlerSurvivesGarbageCollection() {
    Library.setLogHandler(new Recorder()); // no other reference
    TestData.collectGarbage();
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("x", new float[4], 1, 4);
      sparsifier.addData("x", new float[4], 1, 4);
    }
    assertEquals(1, ((Recorder) Library.logHandler()).messages.size());
  }

  @Test
  void aThrowingHandlerDoesNotFailTheCall() {
    Library.setLogHandler(new LogHandler() {
      @Override
      public void log(LogLevel level, String message) {
        throw new IllegalStateException("handler failed");
      }
    });
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("x", new float[4], 1, 4);
      sparsifier.addData("x", new float[4], 1, 4); // logs; the handler throws; the call still succeeds
      assertEquals(1, sparsifier.size());
      try {
        sparsifier.getMask("missing");
      } catch (java.util.NoSuchElementException e) {
        assertNull(e.getCause()); // the handler's exception does not resurface
      }
    }
  }

  @Test
  void nullRestoresTheDefault() {
    Library.setLogHandler(new Recorder());
    Library.setLogHandler(null);
    assertNull(Library.logHandler());
  }
}
