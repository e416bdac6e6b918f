package dev.llmproxy.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.KeyStatus;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.UserKeys;
import dev.llmproxy.core.credentials.KeyFormats;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/me/keys/{provider}}: a user reads ({@code GET}), saves ({@code PUT {"key":"…"}})
 * or removes ({@code DELETE}) their own upstream key, authenticated by their proxy token. The key
 * is validated, then handed to {@link UserKeys} (which encrypts it); responses carry only {@code
 * configured} and {@code configured_at}. Service principals get 403. Mount it at {@code
 * /api/v1/me/keys/*}.
 */
public final class MyKeysServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(MyKeysServlet.class);

  private final transient TokenResolver tokens;
  private final transient UserKeys keys;
  private final transient KeyFormats formats;

  /**
   * Serves {@code keys} to users authenticated by {@code tokens}, for the providers of {@code
   * formats}.
   */
  public MyKeysServlet(TokenResolver tokens, UserKeys keys, KeyFormats formats) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.formats = Objects.requireNonNull(formats, "formats");
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body = JsonResponses.readBody(request, response);
    Optional<Principal> principal = Callers.authenticate(tokens, request, response);
    if (principal.isEmpty()) {
      return;
    }
    if (principal.get().kind() != Principal.Kind.USER) {
      JsonResponses.error(
          response, 403, "permission_error", "Service tokens cannot manage per-user keys.");
      return;
    }
    Optional<ProviderId> provider = provider(request);
    if (provider.isEmpty()) {
      JsonResponses.error(
          response,
          404,
          "not_found_error",
          "Unknown provider. Keys can be stored for: "
              + String.join(
                  ", ", formats.providers().stream().map(ProviderId::value).sorted().toList())
              + ".");
      return;
    }
    String user = principal.get().id();
    try {
      switch (request.getMethod()) {
        case "GET" -> JsonResponses.send(response, 200, view(keys.status(user, provider.get())));
        case "PUT" -> put(body, response, user, provider.get());
        case "DELETE" -> {
          keys.delete(user, provider.get());
          response.setStatus(204);
        }
        default ->
            JsonResponses.error(response, 405, "invalid_request_error", "Use GET, PUT or DELETE.");
      }
    } catch (StoreUnavailableException e) {
      log.warn("Key store unavailable: {}", e.getMessage());
      JsonResponses.error(response, 503, "api_error", "The key store is unavailable right now.");
    }
  }

  private void put(byte[] body, HttpServletResponse response, String user, ProviderId provider)
      throws IOException {
    String key;
    try {
      JsonNode value = JsonResponses.readObject(body).get("key");
      if (value == null || !value.isTextual()) {
        throw new InvalidRequest("Field 'key' is required and must be a string.");
      }
      key = value.asText();
      Optional<String> problem = formats.problem(provider, key);
      if (problem.isPresent()) {
        throw new InvalidRequest(problem.get());
      }
    } catch (InvalidRequest e) {
      JsonResponses.error(response, 400, "invalid_request_error", e.getMessage());
      return;
    }
    JsonResponses.send(response, 200, view(keys.put(user, provider, Secret.of(key))));
  }

  private Optional<ProviderId> provider(HttpServletRequest request) {
    String info = request.getPathInfo();
    if (info == null || info.length() < 2 || info.indexOf('/', 1) >= 0) {
      return Optional.empty();
    }
    try {
      ProviderId id = ProviderId.of(info.substring(1));
      return formats.accepts(id) ? Optional.of(id) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Map<String, Object> view(KeyStatus status) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("provider", status.provider().value());
    view.put("configured", status.configured());
    view.put("configured_at", status.configuredAt().map(Object::toString).orElse(null));
    return view;
  }
}
