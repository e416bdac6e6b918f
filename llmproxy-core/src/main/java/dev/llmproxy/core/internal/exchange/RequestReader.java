package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.RequestPeek;
import java.io.IOException;
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
  public UpstreamResponse process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    try {
      x.body = reader.read(x.io.requestBody(), x.io.requestContentLength());
      x.bodyRead = true;
    } catch (IOException e) {
      log.debug("Client went away while sending the request body: {}", e.toString());
      throw ProxyError.clientCancelled();
    }
    x.peek = RequestPeek.of(x.body, x.io.requestHeaders().first("content-type").orElse(null));
    x.event.model(x.peek.model());
    return chain.proceed();
  }
}
