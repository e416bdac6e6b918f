package dev.llmproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time read from Linux's {@code /proc}: the user and system time of given processes, and how
 * busy the whole machine's cores were. The load tools use it to show what bounds a run: on a
 * machine whose cores are all busy, CPU per event is what sets the latency tail.
 */
final class CpuTime {
  private final long tickNanos;

  CpuTime(int ticksPerSecond) {
    this.tickNanos = 1_000_000_000L / ticksPerSecond;
  }

  /** User plus system time of the processes in nanoseconds; a process that is gone counts 0. */
  long processNanos(List<Long> pids) {
    long ticks = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may hold spaces; fields 14 and 15 follow its closing paren.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      } catch (IOException | RuntimeException e) {
        // gone, or not Linux: nothing to add
      }
    }
    return ticks * tickNanos;
  }

  /** CPU ticks of the whole machine so far, summed over its cores; zeros where unknown. */
  record MachineTicks(long busy, long total) {}

  /** The machine's busy and total CPU ticks so far; steal counts as busy. */
  static MachineTicks machineTicks() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      long idle = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) { // user … steal; guest is inside user
        long value = Long.parseLong(cpu[i]);
        total += value;
        if (i == 4 || i == 5) { // idle, iowait
          idle += value;
        }
      }
      return new MachineTicks(total - idle, total);
    } catch (IOException | RuntimeException e) {
      return new MachineTicks(0, 0);
    }
  }
}
