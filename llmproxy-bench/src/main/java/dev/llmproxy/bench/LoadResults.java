package dev.llmproxy.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The load script's result files, read: {@code results/<target>/<test>.<run>} files of {@code
 * key=value} lines, their medians over runs, and the GC log's heap figures.
 */
final class LoadResults {
  /**
   * A collection's heap before and after: G1's {@code 94M->42M(128M)}, ZGC's {@code
   * 90M(70%)->30M(23%)}.
   */
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M(?:\\(\\d+%\\))?->(\\d+)M");

  private final Path results;

  LoadResults(Path results) {
    this.results = results;
  }

  /** Peak heap used before any GC and the largest heap left after one, in MiB. */
  double[] gcHeap() throws IOException {
    Path log = results.resolve("llmproxy/gc.log");
    double peak = Double.NaN;
    double live = Double.NaN;
    if (Files.exists(log)) {
      peak = 0;
      live = 0;
      for (String gc : Files.readAllLines(log)) {
        Matcher m = GC_HEAP.matcher(gc);
        if (m.find()) {
          peak = Math.max(peak, Double.parseDouble(m.group(1)));
          live = Math.max(live, Double.parseDouble(m.group(2)));
        }
      }
    }
    return new double[] {peak, live};
  }

  double median(String target, String test, String key) throws IOException {
    return Double.parseDouble(medians(target, test).getProperty(key, "NaN"));
  }

  /** For every key of {@code <test>.<run>} files, the median over runs. */
  Properties medians(String target, String test) throws IOException {
    Path dir = results.resolve(target);
    List<Properties> runs = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.sorted().toList()) {
          if (file.getFileName().toString().startsWith(test + ".")) {
            runs.add(read(file));
          }
        }
      }
    }
    Properties medians = new Properties();
    if (runs.isEmpty()) {
      return medians;
    }
    for (String key : runs.get(0).stringPropertyNames()) {
      double[] values =
          runs.stream()
              .mapToDouble(p -> parse(p.getProperty(key)))
              .filter(v -> !Double.isNaN(v))
              .toArray();
      if (values.length > 0) {
        Arrays.sort(values);
        double median =
            values.length % 2 == 1
                ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        medians.setProperty(key, Double.toString(median));
      }
    }
    return medians;
  }

  static double parse(String value) {
    try {
      return value == null ? Double.NaN : Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  static Properties read(Path file) throws IOException {
    Properties properties = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file)) {
        properties.load(reader);
      }
    }
    return properties;
  }
}
