package dev.llmproxy.api;

/**
 * What a hold is for, kept with it so that a hold reclaimed after its instance died can still be
 * recorded as the exchange it was: which provider, method, path and model.
 *
 * @param provider the provider segment of the route, or {@code null} if unknown
 * @param method the HTTP method, or {@code null} if unknown
 * @param path the upstream path without query, or {@code null} if unknown
 * @param model the model the request named, or {@code null}
 */
public record Purpose(String provider, String method, String path, String model) {
  /** Nothing known. */
  public static final Purpose UNKNOWN = new Purpose(null, null, null, null);
}
