package dev.llmproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Turns the load script's result files into one Markdown table: the median of every figure over the
 * runs, for direct, nginx and llmproxy, with ratios to direct and to nginx, then the issue's
 * targets checked against those medians.
 *
 * <p>Layout read: {@code results/<target>/<test>.<run>} files of {@code key=value} lines, plus
 * {@code results/llmproxy/{threads.*,body,process,gc.log}}.
 */
public final class LoadReport {
  private static final List<String> TARGETS = List.of("direct", "nginx", "llmproxy");

  private final Path results;
  private final LoadResults files;
  private final StringBuilder out = new StringBuilder();

  private LoadReport(Path results) {
    this.results = results;
    this.files = new LoadResults(results);
  }

  /** Prints the report for the results directory {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    LoadReport report = new LoadReport(Path.of(args[0]));
    report.write();
    System.out.print(report.out);
  }

  private void write() throws IOException {
    line(
        "| figure | direct | nginx | llmproxy | nginx ÷ direct | llmproxy ÷ direct "
            + "| llmproxy ÷ nginx |");
    line("|---|---|---|---|---|---|---|");
    row("RPS, 16 connections", "c16", "rps", "%.0f");
    row("p50 µs, 16 connections", "c16", "p50_us", "%.0f");
    row("p99 µs, 16 connections", "c16", "p99_us", "%.0f");
    row("RPS, 64 connections", "c64", "rps", "%.0f");
    row("p50 µs, 64 connections", "c64", "p50_us", "%.0f");
    row("p99 µs, 64 connections", "c64", "p99_us", "%.0f");
    row("p50 µs, 16 connections paced", "paced16", "p50_us", "%.0f");
    row("p99 µs, 16 connections paced", "paced16", "p99_us", "%.0f");
    row("TTFB p50 µs, 100 streams", "s100", "ttfb_p50_us", "%.0f");
    row("TTFB p99 µs, 100 streams", "s100", "ttfb_p99_us", "%.0f");
    row("event delay p50 µs, 100 streams", "s100", "event_p50_us", "%.0f");
    row("event delay p99 µs, 100 streams", "s100", "event_p99_us", "%.0f");
    row("TTFB p50 µs, 1,000 streams", "s1000", "ttfb_p50_us", "%.0f");
    row("TTFB p99 µs, 1,000 streams", "s1000", "ttfb_p99_us", "%.0f");
    row("event delay p50 µs, 1,000 streams", "s1000", "event_p50_us", "%.0f");
    row("event delay p99 µs, 1,000 streams", "s1000", "event_p99_us", "%.0f");
    row("failed streams, 1,000 streams", "s1000", "failed", "%.0f");
    line("");
    line("Added by the hop (median minus direct's median):");
    line("");
    line("| figure | nginx | llmproxy | llmproxy ÷ nginx |");
    line("|---|---|---|---|");
    added("p50 µs, 16 connections", "c16", "p50_us");
    added("p99 µs, 16 connections", "c16", "p99_us");
    added("p50 µs, 16 connections paced", "paced16", "p50_us");
    added("p99 µs, 16 connections paced", "paced16", "p99_us");
    added("TTFB p50 µs, 100 streams", "s100", "ttfb_p50_us");
    added("event delay p99 µs, 100 streams", "s100", "event_p99_us");
    added("TTFB p50 µs, 1,000 streams", "s1000", "ttfb_p50_us");
    added("event delay p99 µs, 1,000 streams", "s1000", "event_p99_us");
    line("");
    out.append(FloorsTable.render(files));
    line("");
    warmUp();
    line("");
    resources();
    line("");
    targets();
    line("");
    out.append(ScaleReport.render(results));
  }

  private void row(String label, String test, String key, String format) throws IOException {
    double[] values = new double[TARGETS.size()];
    StringBuilder cells = new StringBuilder("| " + label);
    for (int i = 0; i < values.length; i++) {
      values[i] = files.median(TARGETS.get(i), test, key);
      cells.append(" | ").append(String.format(Locale.ROOT, format, values[i]));
    }
    cells.append(" | ").append(ratio(values[1], values[0]));
    cells.append(" | ").append(ratio(values[2], values[0]));
    cells.append(" | ").append(ratio(values[2], values[1])).append(" |");
    line(cells.toString());
  }

  private void added(String label, String test, String key) throws IOException {
    double direct = files.median("direct", test, key);
    double nginx = files.median("nginx", test, key) - direct;
    double proxy = files.median("llmproxy", test, key) - direct;
    line(
        String.format(
            Locale.ROOT, "| %s | %.0f | %.0f | %s |", label, nginx, proxy, ratio(proxy, nginx)));
  }

  /** llmproxy's requests/s in each 10 s slice of its warm-up, before any measured run. */
  private void warmUp() throws IOException {
    Path dir = results.resolve("llmproxy");
    List<String> slices = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.sorted().toList()) {
          if (file.getFileName().toString().startsWith("warmup.")) {
            slices.add(
                String.format(
                    Locale.ROOT,
                    "%,.0f",
                    LoadResults.parse(LoadResults.read(file).getProperty("rps"))));
          }
        }
      }
    }
    line(
        "llmproxy's warm-up, requests/s at 64 connections in each 10 s slice before the first"
            + " measured run: "
            + (slices.isEmpty() ? "not recorded" : String.join(" → ", slices))
            + ".");
  }

  private void resources() throws IOException {
    Properties threads = files.medians("llmproxy", "threads");
    Properties body = LoadResults.read(results.resolve("llmproxy/body"));
    Properties process = LoadResults.read(results.resolve("llmproxy/process"));
    double[] heap = files.gcHeap();
    line(
        "llmproxy process ("
            + process.getProperty("java", "?")
            + ", "
            + process.getProperty("heap", "-Xmx256m")
            + "):");
    line("");
    line("| figure | value |");
    line("|---|---|");
    line(
        String.format(
            Locale.ROOT, "| peak RSS, whole run | %.0f MiB |", kib(process, "peak_rss_kib")));
    line(
        String.format(
            Locale.ROOT, "| peak heap used (before a GC), whole run | %.0f MiB |", heap[0]));
    line(
        String.format(
            Locale.ROOT, "| largest live heap (after a GC), whole run | %.0f MiB |", heap[1]));
    line(
        String.format(
            Locale.ROOT, "| RSS during 1,000 streams | %.0f MiB |", kib(threads, "rss_kib")));
    line(
        String.format(
            Locale.ROOT,
            "| heap used during 1,000 streams | %.0f MiB |",
            kib(threads, "heap_used_kib")));
    for (String key :
        List.of(
            "os_threads",
            "container_threads",
            "container_threads_in_proxy",
            "exchange_platform_threads",
            "virtual_thread_carriers")) {
      line(
          "| "
              + key.replace('_', ' ')
              + " during 1,000 streams | "
              + threads.getProperty(key, "?")
              + " |");
    }
    double bodyMiB = Double.parseDouble(body.getProperty("body_bytes", "0")) / (1 << 20);
    double growth = kib(body, "live_heap_during_kib") - kib(body, "live_heap_before_kib");
    line(
        String.format(
            Locale.ROOT,
            "| 32 MiB body: status, live heap growth | %s, %.1f MiB (%.2f× the %.0f MiB body) |",
            body.getProperty("status", "?"),
            growth,
            growth / bodyMiB,
            bodyMiB));
  }

  private void targets() throws IOException {
    double direct = files.median("direct", "paced16", "p50_us");
    double p50 = files.median("llmproxy", "paced16", "p50_us") - direct;
    double nginxP50 = files.median("nginx", "paced16", "p50_us") - direct;
    double directP99 = files.median("direct", "paced16", "p99_us");
    double p99 = files.median("llmproxy", "paced16", "p99_us") - directP99;
    double nginxP99 = files.median("nginx", "paced16", "p99_us") - directP99;
    line("Targets (issue 8), from the medians above:");
    line("");
    check("added p50 ≤ 250 µs at 16 connections (paced)", p50, p50 <= 250);
    check("added p99 ≤ 1,000 µs at 16 connections (paced)", p99, p99 <= 1_000);
    check("added p50 ≤ 1.5× nginx's (paced)", p50 / nginxP50, p50 <= 1.5 * nginxP50);
    check("added p99 ≤ 1.5× nginx's (paced)", p99 / nginxP99, p99 <= 1.5 * nginxP99);
    double rps = files.median("llmproxy", "c64", "rps") / files.median("nginx", "c64", "rps");
    check("RPS at 64 connections ≥ 0.8× nginx's", rps, rps >= 0.8);
    double e100 =
        files.median("llmproxy", "s100", "event_p99_us")
            - files.median("direct", "s100", "event_p99_us");
    check("added event delay p99 ≤ 1,000 µs at 100 streams", e100, e100 <= 1_000);
    double e1000 =
        files.median("llmproxy", "s1000", "event_p99_us")
            - files.median("direct", "s1000", "event_p99_us");
    check("added event delay p99 ≤ 5,000 µs at 1,000 streams", e1000, e1000 <= 5_000);
    double ttfb =
        files.median("llmproxy", "s100", "ttfb_p50_us")
            - files.median("direct", "s100", "ttfb_p50_us");
    check("added TTFB p50 ≤ 500 µs (100 streams)", ttfb, ttfb <= 500);
    double[] heap = files.gcHeap();
    check("heap ≤ 256 MiB with 1,000 streams (peak used)", heap[0], heap[0] <= 256);
    double rss = kib(LoadResults.read(results.resolve("llmproxy/process")), "peak_rss_kib");
    check("RSS ≤ 512 MiB (peak)", rss, rss <= 512);
    Properties threads = files.medians("llmproxy", "threads");
    double held = Double.parseDouble(threads.getProperty("container_threads_in_proxy", "NaN"));
    check("no container thread held by a stream", held, held == 0);
    Properties body = LoadResults.read(results.resolve("llmproxy/body"));
    double growth =
        (kib(body, "live_heap_during_kib") - kib(body, "live_heap_before_kib"))
            / (Double.parseDouble(body.getProperty("body_bytes", "1")) / (1 << 20));
    check(
        "32 MiB body: heap growth < 2× body",
        growth,
        growth < 2 && "200".equals(body.getProperty("status")));
  }

  private void check(String target, double value, boolean met) {
    line(String.format(Locale.ROOT, "- %s %s: %.2f", met ? "MET" : "MISSED", target, value));
  }

  private static double kib(Properties properties, String key) {
    return LoadResults.parse(properties.getProperty(key)) / 1024;
  }

  private static String ratio(double value, double base) {
    if (Double.isNaN(value) || Double.isNaN(base) || base == 0) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.2f×", value / base);
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
