package dev.llmproxy.example;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.Secret;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.pools.MemberState;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /admin/pools}: each upstream pool member's state now, behind the admin token: {@code
 * {"members":[{"provider","member","resting","resting_until","in_flight"}]}}. Never a credential.
 */
final class AdminPoolsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final transient Secret adminToken;
  private final transient LlmProxy proxy;

  AdminPoolsServlet(Secret adminToken, LlmProxy proxy) {
    this.adminToken = adminToken;
    this.proxy = proxy;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String authorization = request.getHeader("Authorization");
    ObjectNode body = JSON.createObjectNode();
    if (authorization == null
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || !adminToken.matches(authorization.substring(7).trim())) {
      body.putObject("error")
          .put("type", "authentication_error")
          .put("message", "Admin token required.");
      send(response, 401, body);
      return;
    }
    ArrayNode members = body.putArray("members");
    for (MemberState state : proxy.poolMembers()) {
      ObjectNode member = members.addObject();
      member.put("provider", state.provider());
      member.put("member", state.member());
      member.put("resting", state.resting());
      member.put("resting_until", state.restingUntil().map(Object::toString).orElse(null));
      member.put("in_flight", state.inFlight());
    }
    send(response, 200, body);
  }

  private static void send(HttpServletResponse response, int status, ObjectNode body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.getOutputStream().write(JSON.writeValueAsBytes(body));
  }
}
