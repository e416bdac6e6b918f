package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.RequestPeek;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-body stage: reads the whole request body, within the limit (413), and peeks at the few
 * JSON fields the later stages need (model, stream, max_tokens), refusing malformed JSON (400).
 */
final class RequestReader implements Stage {
  private static final Logger log = LoggerFactory.getLogger(RequestReader.class);

  private final BodyReader reader;

  RequestReader(BodyReader reader) {
    this.reader = reader;
  }

  @Override
  public String name() {
    return "read_body";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    try {
      x.body = reader.read(x.io.requestBody(), x.io.requestContentLength());
      x.bodyRead = true;
    } catch (IOException e) {
      log.debug("Client went away while sending the request body: {}", e.toString());
      throw ProxyError.clientCancelled();
    }
    x.peek = RequestPeek.of(x.body, contentType(x));
    x.event.model(x.peek.model());
    return chain.proceed();
  }

  /**
   * The request's one Content-Type. Two are refused (400): it is a singleton field (RFC 9110,
   * section 8.3), and the peek would read the first while an upstream may read the last, so a JSON
   * body declared second would reach the upstream unread, its model unchecked.
   */
  private static String contentType(ExchangeState x) throws ProxyError {
    java.util.List<String> types = x.io.requestHeaders().values("content-type");
    if (types.size() > 1) {
      throw ProxyError.badRequest("The request has more than one Content-Type header.");
    }
    return types.isEmpty() ? null : types.get(0);
  }
}
