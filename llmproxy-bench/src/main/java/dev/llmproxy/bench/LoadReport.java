package dev.llmproxy.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * A collection's heap before and after: G1's {@code 94M->42M(128M)}, ZGC's {@code
   * 90M(70%)->30M(23%)}.
   */
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M(?:\\(\\d+%\\))?->(\\d+)M");

  private final Path results;
  private final StringBuilder out = new StringBuilder();

  private LoadReport(Path results) {
    this.results = results;
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
    floors();
    line("");
    warmUp();
    line("");
    resources();
    line("");
    targets();
  }

  private void row(String label, String test, String key, String format) throws IOException {
    double[] values = new double[TARGETS.size()];
    StringBuilder cells = new StringBuilder("| " + label);
    for (int i = 0; i < values.length; i++) {
      values[i] = median(TARGETS.get(i), test, key);
      cells.append(" | ").append(String.format(Locale.ROOT, format, values[i]));
    }
    cells.append(" | ").append(ratio(values[1], values[0]));
    cells.append(" | ").append(ratio(values[2], values[0]));
    cells.append(" | ").append(ratio(values[2], values[1])).append(" |");
    line(cells.toString());
  }

  private void added(String label, String test, String key) throws IOException {
    double direct = median("direct", test, key);
    double nginx = median("nginx", test, key) - direct;
    double proxy = median("llmproxy", test, key) - direct;
    line(
        String.format(
            Locale.ROOT, "| %s | %.0f | %.0f | %s |", label, nginx, proxy, ratio(proxy, nginx)));
  }

  /** The same runs through less of the stack: what bounds the hop on this machine. */
  private void floors() throws IOException {
    List<String> hops =
        List.of(
            "direct",
            "nginx",
            "servlet-floor",
            "jetty-proxy-floor",
            "engine-virtual-floor",
            "engine-floor",
            "llmproxy");
    line("What bounds the hop: the same runs through a plain blocking Jetty servlet forwarding");
    line(
        "with OkHttp (no llmproxy), Jetty's own asynchronous proxy servlet (Jetty's HTTP client),");
    line(
        "and the engine alone (no durable ledger, no audit) with exchanges on virtual threads and");
    line(
        "on platform threads, its default. The servlet floor serves streams from a 200-thread pool,");
    line("so it gets no stream runs. CPU per request is the process's user and system time over a");
    line(
        "run divided by its requests: with every core busy, it is what bounds requests/s. CPU per");
    line("event is the same over the 1,000-stream run; the machine's busy share is of both cores.");
    line(
        "Context switches are counted per thread of the hop (/proc): nearly all are a thread that");
    line("blocked and had to be woken, which an event loop like nginx's mostly avoids.");
    line("");
    line(
        "| figure | direct | nginx | servlet | Jetty proxy | engine, virtual | engine | llmproxy |");
    line("|---|---|---|---|---|---|---|---|");
    for (String[] figure :
        List.of(
            new String[] {"RPS, 16 connections", "c16", "rps"},
            new String[] {"RPS, 64 connections", "c64", "rps"},
            new String[] {"hop's CPU µs per request, 64 connections", "c64", "hop_cpu_us"},
            new String[] {"mock's CPU µs per request, 64 connections", "c64", "mock_cpu_us"},
            new String[] {
              "hop's context switches per request, 64 connections",
              "c64",
              "hop_switches_per_request",
              "%.1f"
            },
            new String[] {
              "hop's context switches per request, 16 connections paced",
              "paced16",
              "hop_switches_per_request",
              "%.1f"
            },
            new String[] {"p50 µs, 16 connections paced", "paced16", "p50_us"},
            new String[] {"p99 µs, 16 connections paced", "paced16", "p99_us"},
            new String[] {"TTFB p50 µs, 100 streams", "s100", "ttfb_p50_us"},
            new String[] {"event delay p99 µs, 100 streams", "s100", "event_p99_us"},
            new String[] {"TTFB p50 µs, 1,000 streams", "s1000", "ttfb_p50_us"},
            new String[] {"event delay p99 µs, 1,000 streams", "s1000", "event_p99_us"},
            new String[] {"hop's CPU µs per event, 1,000 streams", "s1000", "hop_cpu_us_per_event"},
            new String[] {
              "mock's CPU µs per event, 1,000 streams", "s1000", "mock_cpu_us_per_event"
            },
            new String[] {
              "client's CPU µs per event, 1,000 streams", "s1000", "client_cpu_us_per_event"
            },
            new String[] {"machine's cores busy %, 1,000 streams", "s1000", "machine_busy_pct"})) {
      StringBuilder cells = new StringBuilder("| " + figure[0]);
      for (String hop : hops) {
        double value = median(hop, figure[1], figure[2]);
        String format = figure.length > 3 ? figure[3] : "%.0f";
        cells.append(
            Double.isNaN(value) ? " | –" : String.format(Locale.ROOT, " | " + format, value));
      }
      line(cells.append(" |").toString());
    }
  }

  /** llmproxy's requests/s in each 10 s slice of its warm-up, before any measured run. */
  private void warmUp() throws IOException {
    Path dir = results.resolve("llmproxy");
    List<String> slices = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.sorted().toList()) {
          if (file.getFileName().toString().startsWith("warmup.")) {
            slices.add(String.format(Locale.ROOT, "%,.0f", parse(read(file).getProperty("rps"))));
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
    Properties threads = medians("llmproxy", "threads");
    Properties body = read(results.resolve("llmproxy/body"));
    Properties process = read(results.resolve("llmproxy/process"));
    double[] heap = gcHeap();
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
    double direct = median("direct", "paced16", "p50_us");
    double p50 = median("llmproxy", "paced16", "p50_us") - direct;
    double nginxP50 = median("nginx", "paced16", "p50_us") - direct;
    double directP99 = median("direct", "paced16", "p99_us");
    double p99 = median("llmproxy", "paced16", "p99_us") - directP99;
    double nginxP99 = median("nginx", "paced16", "p99_us") - directP99;
    line("Targets (issue 8), from the medians above:");
    line("");
    check("added p50 ≤ 250 µs at 16 connections (paced)", p50, p50 <= 250);
    check("added p99 ≤ 1,000 µs at 16 connections (paced)", p99, p99 <= 1_000);
    check("added p50 ≤ 1.5× nginx's (paced)", p50 / nginxP50, p50 <= 1.5 * nginxP50);
    check("added p99 ≤ 1.5× nginx's (paced)", p99 / nginxP99, p99 <= 1.5 * nginxP99);
    double rps = median("llmproxy", "c64", "rps") / median("nginx", "c64", "rps");
    check("RPS at 64 connections ≥ 0.8× nginx's", rps, rps >= 0.8);
    double e100 =
        median("llmproxy", "s100", "event_p99_us") - median("direct", "s100", "event_p99_us");
    check("added event delay p99 ≤ 1,000 µs at 100 streams", e100, e100 <= 1_000);
    double e1000 =
        median("llmproxy", "s1000", "event_p99_us") - median("direct", "s1000", "event_p99_us");
    check("added event delay p99 ≤ 5,000 µs at 1,000 streams", e1000, e1000 <= 5_000);
    double ttfb =
        median("llmproxy", "s100", "ttfb_p50_us") - median("direct", "s100", "ttfb_p50_us");
    check("added TTFB p50 ≤ 500 µs (100 streams)", ttfb, ttfb <= 500);
    double[] heap = gcHeap();
    check("heap ≤ 256 MiB with 1,000 streams (peak used)", heap[0], heap[0] <= 256);
    double rss = kib(read(results.resolve("llmproxy/process")), "peak_rss_kib");
    check("RSS ≤ 512 MiB (peak)", rss, rss <= 512);
    Properties threads = medians("llmproxy", "threads");
    double held = Double.parseDouble(threads.getProperty("container_threads_in_proxy", "NaN"));
    check("no container thread held by a stream", held, held == 0);
    Properties body = read(results.resolve("llmproxy/body"));
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

  /** Peak heap used before any GC and the largest heap left after one, in MiB. */
  private double[] gcHeap() throws IOException {
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

  private double median(String target, String test, String key) throws IOException {
    return Double.parseDouble(medians(target, test).getProperty(key, "NaN"));
  }

  /** For every key of {@code <test>.<run>} files, the median over runs. */
  private Properties medians(String target, String test) throws IOException {
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

  private static double parse(String value) {
    try {
      return value == null ? Double.NaN : Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static Properties read(Path file) throws IOException {
    Properties properties = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file)) {
        properties.load(reader);
      }
    }
    return properties;
  }

  private static double kib(Properties properties, String key) {
    return parse(properties.getProperty(key)) / 1024;
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
