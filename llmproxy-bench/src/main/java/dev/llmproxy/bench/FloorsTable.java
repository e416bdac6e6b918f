package dev.llmproxy.bench;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The load report's floors table: the same runs through less of the stack (a plain servlet, Jetty's
 * proxy, the engine alone), which shows what bounds the hop on this machine.
 */
final class FloorsTable {
  private FloorsTable() {}

  /** The same runs through less of the stack: what bounds the hop on this machine. */
  static String render(LoadResults files) throws IOException {
    StringBuilder out = new StringBuilder();
    List<String> hops =
        List.of(
            "direct",
            "nginx",
            "servlet-floor",
            "jetty-proxy-floor",
            "engine-virtual-floor",
            "engine-floor",
            "llmproxy");
    line(
        out,
        "What bounds the hop: the same runs through a plain blocking Jetty servlet forwarding");
    line(
        out,
        "with OkHttp (no llmproxy), Jetty's own asynchronous proxy servlet (Jetty's HTTP client),");
    line(
        out,
        "and the engine alone (no durable ledger, no audit) with exchanges on virtual threads and");
    line(
        out,
        "on platform threads, its default. The servlet floor serves streams from a 200-thread pool,");
    line(
        out,
        "so it gets no stream runs. CPU per request is the process's user and system time over a");
    line(
        out,
        "run divided by its requests: with every core busy, it is what bounds requests/s. CPU per");
    line(
        out,
        "event is the same over the 1,000-stream run; the machine's busy share is of both cores.");
    line(
        out,
        "Context switches are counted per thread of the hop (/proc): nearly all are a thread that");
    line(out, "blocked and had to be woken, which an event loop like nginx's mostly avoids.");
    line(out, "");
    line(
        out,
        "| figure | direct | nginx | servlet | Jetty proxy | engine, virtual | engine | llmproxy |");
    line(out, "|---|---|---|---|---|---|---|---|");
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
        double value = files.median(hop, figure[1], figure[2]);
        String format = figure.length > 3 ? figure[3] : "%.0f";
        cells.append(
            Double.isNaN(value) ? " | –" : String.format(Locale.ROOT, " | " + format, value));
      }
      line(out, cells.append(" |").toString());
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append('\n');
  }
}
