package org.datasparse.tests;

import java.util.ArrayList;
import java.util.List;
import org.datasparse.Schedule;

/** The seed's GammaScheduler, fixed: epoch 0 gives the base value. Records its calls. */
class GammaSchedule extends Schedule {
  final double gamma;
  final double threshold;
  final List<String> calls = new ArrayList<>();

  GammaSchedule(double gamma, double threshold) {
    this.gamma = gamma;
    this.threshold = threshold;
  }

  @Override
  public double compute(String name, long epoch, double base, double current) {
    calls.add(name + "@" + epoch);
    return epoch == 0 ? base : Math.min(threshold, current * gamma);
  }
}
