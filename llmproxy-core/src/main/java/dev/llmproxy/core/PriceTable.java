package dev.llmproxy.core;

import dev.llmproxy.api.ModelPatterns;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prices per model, matched by pattern: an exact name or a {@code *} pattern, the longest match
 * winning, so dated model ids find their family; {@code *} prices models nobody listed. The
 * defaults hold Anthropic's (and, with the OpenAI provider, OpenAI's) list prices from a resource;
 * a host overrides or adds entries with {@link #with}.
 */
public final class PriceTable {
  private static final String RESOURCE = "prices.properties";
  private static final int MAX_MEMO = 1024;

  private final Map<String, ModelPrice> byPattern;
  private final Map<String, ModelPrice> resolved = new ConcurrentHashMap<>();

  private PriceTable(Map<String, ModelPrice> byPattern) {
    this.byPattern = Map.copyOf(byPattern);
    if (!byPattern.containsKey("*")) {
      throw new IllegalArgumentException("a price table needs a '*' default entry");
    }
  }

  /** The built-in list prices. */
  public static PriceTable defaults() {
    Properties properties = new Properties();
    try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
      properties.load(Objects.requireNonNull(in, RESOURCE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (String pattern : properties.stringPropertyNames()) {
      prices.put(pattern, parse(pattern, properties.getProperty(pattern)));
    }
    return new PriceTable(prices);
  }

  /** This table with {@code price} for {@code pattern} (an exact model name or a * pattern). */
  public PriceTable with(String pattern, ModelPrice price) {
    Map<String, ModelPrice> copy = new LinkedHashMap<>(byPattern);
    copy.put(pattern, price);
    return new PriceTable(copy);
  }

  /** The price of {@code model}; the {@code *} entry when the model is unknown or absent. */
  public ModelPrice price(String model) {
    if (model == null) {
      return byPattern.get("*");
    }
    ModelPrice price = resolved.get(model);
    if (price == null) {
      price = lookup(model);
      if (resolved.size() < MAX_MEMO) { // model names come from clients: bound the memo
        resolved.put(model, price);
      }
    }
    return price;
  }

  private ModelPrice lookup(String model) {
    ModelPrice exact = byPattern.get(model);
    if (exact != null) {
      return exact;
    }
    String best = "*";
    for (String pattern : byPattern.keySet()) {
      if (pattern.length() > best.length() && ModelPatterns.matches(pattern, model)) {
        best = pattern;
      }
    }
    return byPattern.get(best);
  }

  private static ModelPrice parse(String pattern, String value) {
    String[] parts = value.split(",");
    if (parts.length != 4) {
      throw new IllegalArgumentException("price of " + pattern + " needs 4 numbers: " + value);
    }
    return ModelPrice.perMillion(
        new BigDecimal(parts[0].trim()),
        new BigDecimal(parts[1].trim()),
        new BigDecimal(parts[2].trim()),
        new BigDecimal(parts[3].trim()));
  }
}
