package dev.llmproxy.jettyclient;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectableChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The client's open sockets by local address, so that a call can end its connection's input the way
 * a peer closing it would: Jetty's own receiving thread then reads the end and fails the exchange
 * itself (see {@link JettyResponse} for why a failure from another thread is unsafe). Registered on
 * the Jetty client as a bean, it hears of every connection opened and closed.
 */
final class Sockets implements Connection.Listener {
  private final Map<SocketAddress, SocketChannel> open = new ConcurrentHashMap<>();
  private final Map<Connection, SocketAddress> addresses = new ConcurrentHashMap<>();
  private final long fallbackMillis;
  private volatile Scheduler scheduler;

  /**
   * @param fallbackMillis how long a shut input may take to reach the receiver before the caller's
   *     fallback ends the exchange from another thread anyway
   */
  Sockets(long fallbackMillis) {
    this.fallbackMillis = fallbackMillis;
  }

  /** The started client's scheduler, which runs the fallbacks. */
  void use(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public void onOpened(Connection connection) {
    SocketChannel socket = socketOf(connection.getEndPoint());
    SocketAddress local = connection.getEndPoint().getLocalSocketAddress();
    if (socket != null && local != null) {
      open.put(local, socket);
      addresses.put(connection, local); // a closed socket no longer knows its address
    }
  }

  @Override
  public void onClosed(Connection connection) {
    SocketAddress local = addresses.remove(connection);
    if (local != null) { // unless its port carries a newer connection already
      open.remove(local, socketOf(connection.getEndPoint()));
    }
  }

  /**
   * Shuts the input of the socket {@code request} was sent on, and runs {@code fallback} a while
   * later (it should find the exchange ended already); false if the request has no open socket (not
   * yet connected, already closed, or not over TCP), and nothing was done.
   */
  boolean shutInput(Request request, Runnable fallback) {
    SocketChannel socket = socketOf(request);
    if (socket == null) {
      return false;
    }
    try {
      socket.shutdownInput();
    } catch (IOException e) {
      return false; // closed already
    }
    scheduler.schedule(fallback, fallbackMillis, TimeUnit.MILLISECONDS);
    return true;
  }

  /**
   * Once its answer has begun, Jetty names the request's own end point; before, only the local
   * address of its connection, looked up while that connection is open, since a closed connection's
   * port may already carry another.
   */
  private SocketChannel socketOf(Request request) {
    if (request instanceof HttpRequest http
        && http.getConversation().getAttribute(EndPoint.class.getName())
            instanceof EndPoint endPoint) {
      return socketOf(endPoint);
    }
    org.eclipse.jetty.client.Connection connection = request.getConnection();
    if (connection == null || connection.isClosed()) {
      return null;
    }
    SocketAddress local = connection.getLocalSocketAddress();
    return local == null ? null : open.get(local);
  }

  int size() {
    return open.size();
  }

  private static SocketChannel socketOf(EndPoint endPoint) {
    while (endPoint instanceof EndPoint.Wrapper wrapper) { // TLS: the socket under the decryption
      endPoint = wrapper.unwrap();
    }
    return endPoint instanceof SelectableChannelEndPoint selectable
            && selectable.getChannel() instanceof SocketChannel socket
        ? socket
        : null;
  }
}
