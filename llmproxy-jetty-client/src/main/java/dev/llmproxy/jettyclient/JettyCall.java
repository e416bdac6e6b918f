package dev.llmproxy.jettyclient;

import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.client.Request;

/**
 * One request; its future completes with the response headers, on Jetty's thread. A cancel ends the
 * connection the way {@link JettyResponse} ends a body: by shutting the socket's input, so that
 * Jetty's receiving thread, which may be parsing this very connection, fails the exchange itself.
 */
final class JettyCall implements UpstreamCall {
  private final Request request;
  private final CompletableFuture<UpstreamResponse> headers = new CompletableFuture<>();
  private volatile JettyResponse response;
  private volatile boolean sent;
  private volatile boolean canceled;

  JettyCall(Request request) {
    this.request = request;
  }

  @Override
  public UpstreamResponse execute() throws IOException {
    try {
      return executeAsync().get();
    } catch (InterruptedException e) {
      cancel();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the upstream");
    } catch (ExecutionException e) {
      throw (IOException) e.getCause(); // executeAsync fails with IOExceptions only
    }
  }

  @Override
  public CompletableFuture<UpstreamResponse> executeAsync() {
    request.onRequestCommit(r -> sent = true);
    request.onResponseContentSource(
        (answer, source) -> answered(new JettyResponse(answer, source)));
    request.send(
        result -> {
          if (result.isFailed()) {
            Throwable failure = result.getFailure();
            headers.completeExceptionally(
                failure instanceof IOException
                    ? failure
                    : new IOException(failure.toString(), failure));
          } else if (response == null) { // its content source was never offered: no body
            answered(JettyResponse.withoutBody(result.getResponse()));
          }
        });
    return headers;
  }

  private void answered(JettyResponse answer) {
    if (response != null) {
      return;
    }
    response = answer; // before the future completes: a cancel from now on closes it
    headers.complete(answer);
    if (canceled) {
      answer.close(); // the cancel came first and found no response to close
    }
  }

  @Override
  public void cancel() {
    canceled = true; // before reading response: answered() reads them the other way round
    JettyResponse answer = response;
    if (answer != null) {
      answer.close();
    } else {
      request.abort(new IOException("upstream call cancelled"));
    }
  }

  @Override
  public boolean requestSent() {
    return sent;
  }

  @Override
  public boolean isCanceled() {
    return canceled;
  }
}
