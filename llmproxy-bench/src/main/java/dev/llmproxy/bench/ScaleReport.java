package dev.llmproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The load report's part for issue 26: llmproxy's two relays side by side with Jetty's asynchronous
 * proxy and nginx, what 1,000 open streams cost each relay, open streams at scale, and the issue's
 * targets checked against the medians.
 *
 * <p>Layout read, besides {@link LoadReport}'s: {@code results/<hop>/{base1000.1,threads.1}} for
 * both relays, {@code results/<target>/{scale,scalebase,scalesample}.<run>} and {@code
 * results/scale-streams}.
 */
final class ScaleReport {
  private static final List<String> SIDE_BY_SIDE =
      List.of("llmproxy", "llmproxy-nio", "jetty-proxy-floor", "nginx");
  private static final List<String> AT_SCALE =
      List.of("direct", "nginx", "jetty-proxy-floor", "llmproxy-nio", "llmproxy");

  private final Path results;
  private final LoadResults files;
  private final StringBuilder out = new StringBuilder();

  private ScaleReport(Path results) {
    this.results = results;
    this.files = new LoadResults(results);
  }

  /** The Markdown for the results directory {@code results}. */
  static String render(Path results) throws IOException {
    ScaleReport report = new ScaleReport(results);
    report.write();
    return report.out.toString();
  }

  private void write() throws IOException {
    line("Relays side by side (medians; \"added\" is minus direct's median):");
    line("");
    line("| figure | llmproxy (blocking) | llmproxy-nio | Jetty async proxy | nginx |");
    line("|---|---|---|---|---|");
    sideBySide("RPS, 64 connections", "c64", "rps", false);
    sideBySide("hop CPU µs per request, 64 connections", "c64", "hop_cpu_us", false);
    sideBySide(
        "context switches per request, 64 connections", "c64", "hop_switches_per_request", false);
    sideBySide("added p50 µs, 16 connections paced", "paced16", "p50_us", true);
    sideBySide("added p99 µs, 16 connections paced", "paced16", "p99_us", true);
    sideBySide("added TTFB p50 µs, 100 streams", "s100", "ttfb_p50_us", true);
    sideBySide("added event delay p99 µs, 100 streams", "s100", "event_p99_us", true);
    sideBySide("added TTFB p50 µs, 1,000 streams", "s1000", "ttfb_p50_us", true);
    sideBySide("added event delay p99 µs, 1,000 streams", "s1000", "event_p99_us", true);
    sideBySide("failed streams, 1,000 streams", "s1000", "failed", false);
    line("");
    line(
        "1,000 open streams (one sampled run, every stream open; RSS growth over the idle baseline):");
    line("");
    line("| figure | llmproxy (blocking) | llmproxy-nio |");
    line("|---|---|---|");
    for (String key :
        List.of("os_threads", "fds", "exchange_platform_threads", "container_threads")) {
      line(
          "| "
              + key.replace('_', ' ')
              + " | "
              + value("llmproxy", "threads", key)
              + " | "
              + value("llmproxy-nio", "threads", key)
              + " |");
    }
    line(
        String.format(
            Locale.ROOT,
            "| heap used, MiB | %.0f | %.0f |",
            files.median("llmproxy", "threads", "heap_used_kib") / 1024,
            files.median("llmproxy-nio", "threads", "heap_used_kib") / 1024));
    line(
        String.format(
            Locale.ROOT,
            "| RSS growth per open stream, KiB | %.1f | %.1f |",
            perStream("llmproxy", "base1000", "threads", 1000),
            perStream("llmproxy-nio", "base1000", "threads", 1000)));
    line("");
    int streams = scaleStreams();
    if (streams == 0) {
      return;
    }
    line(
        String.format(
            Locale.ROOT,
            "%,d open streams (medians of the runs; each Java hop a fresh JVM per run):",
            streams));
    line("");
    line(
        "| target | failed | TTFB p50 µs | TTFB p99 µs | event p50 µs | event p99 µs "
            + "| added event p99 µs | threads | fds | heap used MiB | peak RSS MiB "
            + "| RSS growth per stream KiB |");
    line("|---|---|---|---|---|---|---|---|---|---|---|---|");
    double directP99 = files.median("direct", "scale", "event_p99_us");
    for (String target : AT_SCALE) {
      if (!Files.isDirectory(results.resolve(target)) || files.medians(target, "scale").isEmpty()) {
        continue;
      }
      line(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s | %.0f | %.0f | %.1f |",
              target,
              files.median(target, "scale", "failed"),
              files.median(target, "scale", "ttfb_p50_us"),
              files.median(target, "scale", "ttfb_p99_us"),
              files.median(target, "scale", "event_p50_us"),
              files.median(target, "scale", "event_p99_us"),
              files.median(target, "scale", "event_p99_us") - directP99,
              value(target, "scalesample", "os_threads"),
              value(target, "scalesample", "fds"),
              files.median(target, "scalesample", "heap_used_kib") / 1024,
              files.median(target, "scalesample", "peak_rss_kib") / 1024,
              perStream(target, "scalebase", "scalesample", streams)));
    }
    line("");
    targets(streams, directP99);
  }

  private void targets(int streams, double directP99) throws IOException {
    line("Targets (issue 26), from the medians above:");
    line("");
    double failed = files.median("llmproxy-nio", "scale", "failed");
    check(String.format(Locale.ROOT, "%,d streams: all complete", streams), failed, failed == 0);
    double threads = files.median("llmproxy-nio", "scalesample", "os_threads");
    check("under 100 threads", threads, threads < 100);
    double heap = files.median("llmproxy-nio", "scalesample", "heap_used_kib") / 1024;
    check("under 512 MiB heap (used, sampled)", heap, heap < 512);
    double rss = files.median("llmproxy-nio", "scalesample", "peak_rss_kib") / 1024;
    check("under 1 GiB RSS (peak)", rss, rss < 1024);
    double added = files.median("llmproxy-nio", "scale", "event_p99_us") - directP99;
    double nginx = files.median("nginx", "scale", "event_p99_us") - directP99;
    check("added event p99 within 2× nginx's (ratio)", added / nginx, added <= 2 * nginx);
    double e1000 =
        files.median("llmproxy-nio", "s1000", "event_p99_us")
            - files.median("direct", "s1000", "event_p99_us");
    check("1,000 streams: added event p99 ≤ 5,000 µs", e1000, e1000 <= 5_000);
    double rps =
        files.median("llmproxy-nio", "c64", "rps")
            / files.median("jetty-proxy-floor", "c64", "rps");
    check("RPS at 64 connections ≥ 1.0× Jetty's async proxy (ratio)", rps, rps >= 1.0);
    double rpsNginx =
        files.median("llmproxy-nio", "c64", "rps") / files.median("nginx", "c64", "rps");
    check("… toward 0.8× nginx (ratio)", rpsNginx, rpsNginx >= 0.8);
    double direct = files.median("direct", "paced16", "p50_us");
    double p50 = files.median("llmproxy-nio", "paced16", "p50_us") - direct;
    double jetty = files.median("jetty-proxy-floor", "paced16", "p50_us") - direct;
    check("added paced p50 ≤ Jetty's proxy's (µs)", p50, p50 <= jetty);
    double switches = files.median("llmproxy-nio", "c64", "hop_switches_per_request");
    check("context switches per request ≤ 1.5 at 64 connections", switches, switches <= 1.5);
  }

  private void sideBySide(String label, String test, String key, boolean added) throws IOException {
    double base = added ? files.median("direct", test, key) : 0;
    StringBuilder cells = new StringBuilder("| " + label);
    for (String target : SIDE_BY_SIDE) {
      double v = files.median(target, test, key) - base;
      cells
          .append(" | ")
          .append(
              Double.isNaN(v)
                  ? "–"
                  : String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.00$", ""));
    }
    line(cells.append(" |").toString());
  }

  private String value(String target, String test, String key) throws IOException {
    double v = files.median(target, test, key);
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", v);
  }

  private double perStream(String target, String base, String sample, int streams)
      throws IOException {
    return (files.median(target, sample, "rss_kib") - files.median(target, base, "rss_idle_kib"))
        / streams;
  }

  private int scaleStreams() throws IOException {
    Path file = results.resolve("scale-streams");
    return Files.exists(file) ? Integer.parseInt(Files.readString(file).trim()) : 0;
  }

  private void check(String target, double value, boolean met) {
    line(String.format(Locale.ROOT, "- %s %s: %.2f", met ? "MET" : "MISSED", target, value));
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
