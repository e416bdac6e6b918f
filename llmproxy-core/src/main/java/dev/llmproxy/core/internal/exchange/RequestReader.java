package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.RequestPeek;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-body stage: reads the whole request body, within the limit (413), and peeks at the few
 * JSON fields the later stages need (model, stream, max_tokens), refusing malformed JSON (400).
 *
 * <p>A proxy that relays without blocking reads a body without blocking too, where the container
 * offers it: no thread waits while a slow upload arrives, and the next stages run on the thread
 * that read its end.
 */
final class RequestReader implements Stage {
  private static final Logger log = LoggerFactory.getLogger(RequestReader.class);

  private final BodyReader reader;
  private final boolean nonBlocking;

  RequestReader(BodyReader reader, boolean nonBlocking) {
    this.reader = reader;
    this.nonBlocking = nonBlocking;
  }

  @Override
  public String name() {
    return "read_body";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    long declaredLength = x.io.requestContentLength();
    Optional<ProxyExchange.NonBlockingInput> in =
        nonBlocking && BodyReader.hasBody(declaredLength, x.io.requestHeaders())
            ? x.io.nonBlockingInput()
            : Optional.empty();
    if (in.isPresent()) {
      return new BodyArrival(x, in.get(), reader.start(declaredLength))
          .start()
          .thenCompose(body -> proceedHere(chain, body));
    }
    byte[] body;
    try {
      body = reader.read(x.io.requestBody(), declaredLength);
    } catch (IOException e) {
      log.debug("Client went away while sending the request body: {}", e.toString());
      throw ProxyError.clientCancelled();
    }
    return proceedWith(chain, body);
  }

  /**
   * Runs the next stages on this thread, once the body has arrived: on a thread other than the one
   * that started the exchange, between the observation's attach and detach.
   */
  private static CompletableFuture<UpstreamResponse> proceedHere(Chain chain, byte[] body) {
    ExchangeState x = chain.state();
    boolean elsewhere = !x.isStarting();
    if (elsewhere) {
      x.observation.attach();
    }
    try {
      return proceedWith(chain, body);
    } catch (ProxyError e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException | Error e) { // the exchange must still be answered and settled
      return CompletableFuture.failedFuture(e);
    } finally {
      if (elsewhere) {
        x.observation.detach();
      }
    }
  }

  private static CompletableFuture<UpstreamResponse> proceedWith(Chain chain, byte[] body)
      throws ProxyError {
    ExchangeState x = chain.state();
    x.body = body;
    x.bodyRead = true;
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
