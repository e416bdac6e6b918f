package dev.llmproxy.example;

import dev.llmproxy.core.ErrorResponse;
import dev.llmproxy.core.LlmProxy;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers errors that Jetty raises itself on a proxy route (a URI it refuses, a bad request line)
 * in the route's provider envelope instead of an HTML page. Other paths keep Jetty's default error
 * page.
 */
final class ProxyErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
  private final LlmProxy proxy;
  private final String mountPath;

  ProxyErrorHandler(LlmProxy proxy, String mountPath) {
    this.proxy = proxy;
    this.mountPath = mountPath;
    setShowStacks(false);
    setShowCauses(false);
  }

  /**
   * The path Jetty gives a request it refused before it had a target: a control character in the
   * request line, a malformed percent-escape. Which route it was for is lost, so it is answered as
   * the proxy answers a route it does not know, in its default envelope, rather than with Jetty's
   * empty body.
   */
  private static final java.util.Set<String> NO_TARGET = java.util.Set.of("/badMessage", "/badURI");

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
    if (path != null
        && NO_TARGET.contains(path)
        && request.getAttribute(ERROR_EXCEPTION) instanceof org.eclipse.jetty.http.HttpException) {
      path = mountPath + "/";
    }
    if (path == null || !(path.equals(mountPath) || path.startsWith(mountPath + "/"))) {
      return super.handle(request, response, callback);
    }
    int status =
        request.getAttribute(ERROR_STATUS) instanceof Integer code ? code : response.getStatus();
    if (status < 400) {
      status = 500;
    }
    ErrorResponse error =
        proxy.containerError(
            path.substring(mountPath.length()),
            status,
            status == 500 ? "The proxy failed to handle this request." : "Bad request.");
    response.setStatus(error.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, error.contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, error.body().length);
    response.write(true, ByteBuffer.wrap(error.body()), callback);
    return true;
  }
}
