package io.usergate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The benchmark table: each row a measurement, its baseline measured in the same run, and the ratio. */
final class Report {

  private record Row(String name, double value, String unit, String baselineName, double baseline, String aim) {
  }

  private final List<Row> rows = new ArrayList<>();

  void add(String name, double value, String unit, String baselineName, double baseline, String aim) {
    rows.add(new Row(name, value, unit, baselineName, baseline, aim));
    System.out.printf(Locale.ROOT, "bench: %s = %.1f %s (baseline %s = %.1f, ratio %.2f)%n",
      name, value, unit, baselineName, baseline, value / baseline);
  }

  void print() {
    System.out.println();
    System.out.println("| benchmark | value | baseline (same run) | ratio | aim |");
    System.out.println("|---|---|---|---|---|");
    for (Row row : rows) {
      System.out.printf(Locale.ROOT, "| %s | %.1f %s | %s: %.1f %s | %.2f | %s |%n", row.name, row.value, row.unit,
        row.baselineName, row.baseline, row.unit, row.value / row.baseline, row.aim);
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
