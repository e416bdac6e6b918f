package dev.llmproxy.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example's {@code Main} in a JVM of its own, as an operator runs it: no system property of the
 * test JVM, no class of it already loaded. Its output is collected line by line.
 */
final class ServeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("llmproxy listening on (http://\\S+)");

  final Process process;
  final String baseUrl;
  private final BlockingQueue<String> lines;
  private final List<String> output = new ArrayList<>();

  private ServeProcess(Process process, BlockingQueue<String> lines) throws InterruptedException {
    this.process = process;
    this.lines = lines;
    Matcher m = LISTENING.matcher(awaitLine("llmproxy listening on "));
    if (!m.find()) {
      throw new AssertionError("no URL in " + output());
    }
    this.baseUrl = m.group(1);
  }

  /** Reads serve's output up to the first line containing {@code text}; that line. */
  String awaitLine(String text) throws InterruptedException {
    while (true) {
      String line = lines.poll(60, TimeUnit.SECONDS);
      if (line == null || line.equals(EOF)) {
        throw new AssertionError("serve never printed '" + text + "': " + output());
      }
      output.add(line);
      if (line.contains(text)) {
        return line;
      }
    }
  }

  /**
   * Starts {@code java dev.llmproxy.example.Main args} with {@code env}; returns once listening.
   */
  static ServeProcess start(Map<String, String> env, String... args) throws Exception {
    Process process = builder(env, args).start();
    BlockingQueue<String> lines = drain(process);
    try {
      return new ServeProcess(process, lines);
    } catch (AssertionError | InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Runs a CLI command to its end; its exit code and output. */
  static Result run(Map<String, String> env, String... args) throws Exception {
    Process process = builder(env, args).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("CLI did not end: " + out);
    }
    return new Result(process.exitValue(), out);
  }

  record Result(int exitCode, String output) {}

  private static ProcessBuilder builder(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("LLMPROXY_"));
    builder.environment().putAll(env);
    return builder;
  }

  private static final String EOF = "\u0000eof";

  private static BlockingQueue<String> drain(Process process) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
              lines.add(EOF);
            },
            "serve-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  /** The port of {@link #baseUrl}. */
  int port() {
    return java.net.URI.create(baseUrl).getPort();
  }

  /** What serve printed, as far as it was read. */
  String output() {
    return String.join("\n", output);
  }

  /** Stops the server as a service manager would (SIGTERM), and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
