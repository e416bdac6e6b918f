package dev.llmproxy.example;

import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A small property checker: {@code tries} inputs from a seeded generator, and the first failing one
 * shrunk to a smaller input that still fails. Every run prints nothing unless it fails; a failure
 * names the seed, and {@code -Dllmproxy.seed=N} replays that run exactly.
 *
 * <p>Written here rather than taken from jqwik: jqwik 1.10 asks not to be used by AI coding agents,
 * which write much of this project, and the check needs only generation, replay and shrinking.
 */
final class PropertyCheck {
  private PropertyCheck() {}

  /** Smaller variants of a failing input, the most promising first. */
  interface Shrinker<T> {
    Stream<T> candidates(T value);
  }

  /** What must hold for every input; throws (an AssertionError, usually) when it does not. */
  interface Property<T> {
    void check(T value) throws Exception;
  }

  private static final int MAX_SHRINK_RUNS = 400;

  static <T> void forAll(
      String name,
      int tries,
      Function<Random, T> generator,
      Shrinker<T> shrinker,
      Property<T> property) {
    long seed = Long.getLong("llmproxy.seed", new Random().nextLong());
    Random random = new Random(seed);
    int total = tries * Integer.getInteger("llmproxy.tries", 1);
    for (int i = 0; i < total; i++) {
      T input = generator.apply(random);
      Throwable failure = failure(property, input);
      if (failure != null) {
        Throwable first = failure;
        T smallest = input;
        int runs = 0;
        boolean shrunk = true;
        while (shrunk && runs < MAX_SHRINK_RUNS) {
          shrunk = false;
          for (T candidate : (Iterable<T>) shrinker.candidates(smallest)::iterator) {
            if (++runs > MAX_SHRINK_RUNS) {
              break;
            }
            Throwable again = failure(property, candidate);
            if (again != null) {
              smallest = candidate;
              failure = again;
              shrunk = true;
              break;
            }
          }
        }
        AssertionError error =
            new AssertionError(
                name
                    + " falsified at try "
                    + (i + 1)
                    + " (replay: -Dllmproxy.seed="
                    + seed
                    + ")\n  shrunk:   "
                    + smallest
                    + "\n  original: "
                    + input
                    + "\n  failure:  "
                    + failure
                    + (first == failure ? "" : "\n  original failure: " + first),
                failure);
        throw error;
      }
    }
  }

  private static <T> Throwable failure(Property<T> property, T input) {
    try {
      property.check(input);
      return null;
    } catch (Exception | AssertionError e) {
      return e;
    }
  }
}
