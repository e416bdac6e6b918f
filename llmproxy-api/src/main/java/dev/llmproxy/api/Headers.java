package dev.llmproxy.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable, ordered list of HTTP header fields. Names are stored in lower case, so lookups are
 * case-insensitive; values are kept as given. A name may repeat.
 */
public final class Headers {
  private static final Headers EMPTY = new Headers(new String[0]);

  /** Alternating names and values: {@code [name0, value0, name1, value1, …]}. */
  private final String[] namesAndValues;

  private Headers(String[] namesAndValues) {
    this.namesAndValues = namesAndValues;
  }

  /** No headers. */
  public static Headers empty() {
    return EMPTY;
  }

  /** Headers from alternating names and values, e.g. {@code of("accept", "*}{@code /*")}. */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("expected name/value pairs");
    }
    Builder builder = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      builder.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return builder.build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of fields, counting repeated names separately. */
  public int size() {
    return namesAndValues.length / 2;
  }

  /** The lower-case name of field {@code index}. */
  public String name(int index) {
    return namesAndValues[index * 2];
  }

  /** The value of field {@code index}. */
  public String value(int index) {
    return namesAndValues[index * 2 + 1];
  }

  /** The first value of {@code name}, if present. */
  public Optional<String> first(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equals(lower)) {
        return Optional.of(namesAndValues[i + 1]);
      }
    }
    return Optional.empty();
  }

  /** Every value of {@code name}, in order. */
  public List<String> values(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<String> result = new ArrayList<>(2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equals(lower)) {
        result.add(namesAndValues[i + 1]);
      }
    }
    return result;
  }

  /** A builder holding these headers, to add to. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.namesAndValues.addAll(Arrays.asList(namesAndValues));
    return builder;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && Arrays.equals(namesAndValues, h.namesAndValues);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(namesAndValues);
  }

  /** Names only: header values may carry credentials and are never printed. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Headers[");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      sb.append(i == 0 ? "" : ", ").append(namesAndValues[i]);
    }
    return sb.append(']').toString();
  }

  /** Builds {@link Headers}. Not thread-safe. */
  public static final class Builder {
    private final List<String> namesAndValues = new ArrayList<>(32);

    private Builder() {}

    /** Adds a field; {@code name} is lower-cased. */
    public Builder add(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      namesAndValues.add(name.toLowerCase(Locale.ROOT));
      namesAndValues.add(value);
      return this;
    }

    /** Removes every field named {@code name}, then adds one with {@code value}. */
    public Builder set(String name, String value) {
      removeAll(name);
      return add(name, value);
    }

    /** Removes every field named {@code name}. */
    public Builder removeAll(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      for (int i = namesAndValues.size() - 2; i >= 0; i -= 2) {
        if (namesAndValues.get(i).equals(lower)) {
          namesAndValues.remove(i + 1);
          namesAndValues.remove(i);
        }
      }
      return this;
    }

    /** The first value of {@code name} added so far, if any. */
    public Optional<String> first(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      for (int i = 0; i < namesAndValues.size(); i += 2) {
        if (namesAndValues.get(i).equals(lower)) {
          return Optional.of(namesAndValues.get(i + 1));
        }
      }
      return Optional.empty();
    }

    /** Every value of {@code name} added so far, in order. */
    public List<String> values(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      List<String> result = new ArrayList<>(2);
      for (int i = 0; i < namesAndValues.size(); i += 2) {
        if (namesAndValues.get(i).equals(lower)) {
          result.add(namesAndValues.get(i + 1));
        }
      }
      return result;
    }

    public Headers build() {
      return namesAndValues.isEmpty() ? EMPTY : new Headers(namesAndValues.toArray(new String[0]));
    }
  }
}
