package dev.llmproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay in front of a database that a test can cut, as a stopped database or a broken network
 * would: every open connection is closed and new ones are refused until it is restored. Or stall,
 * as a hung database or a network that drops packets would: connections stay open, new ones are
 * accepted, and no byte passes either way until it resumes.
 */
public final class CuttableLink implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final Object lock = new Object();
  private final List<Socket> sockets = new ArrayList<>(); // guarded by lock
  private final int port;
  private volatile ServerSocket server;
  private volatile Thread acceptor;
  private final Object gate = new Object();
  private boolean stalled; // guarded by gate

  /** A link to {@code targetHost:targetPort}, open, on a free loopback port. */
  public CuttableLink(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.port = listen(0);
  }

  /** The loopback port to connect to instead of the target. */
  public int port() {
    return port;
  }

  private int listen(int onPort) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true); // connections the cut closed may linger in TIME_WAIT
    try {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    server = socket;
    Thread thread = new Thread(() -> accept(socket), "cuttable-link");
    thread.setDaemon(true);
    acceptor = thread;
    thread.start();
    return socket.getLocalPort();
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // cut
      }
      Socket target;
      try {
        target = new Socket(targetHost, targetPort);
      } catch (IOException e) {
        closeQuietly(client); // the target refused: so does the link, for this connection
        continue;
      }
      synchronized (lock) {
        if (socket.isClosed()) { // cut while this connection was being accepted
          closeQuietly(client);
          closeQuietly(target);
          return;
        }
        sockets.add(client);
        sockets.add(target);
      }
      pipe(client, target);
      pipe(target, client);
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  awaitFlowing();
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side is gone
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "cuttable-link-pipe");
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitFlowing() throws IOException {
    synchronized (gate) {
      while (stalled) {
        try {
          gate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while stalled", e);
        }
      }
    }
  }

  /** Lets no byte through, either way, on any connection, until {@link #resume()}. */
  public void stall() {
    synchronized (gate) {
      stalled = true;
    }
  }

  /** Lets bytes through again, those held back first. */
  public void resume() {
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  /**
   * Closes every connection and refuses new ones; returns once the port is free, so that {@link
   * #restore()} can bind it again.
   */
  public void cut() throws IOException {
    synchronized (
        lock) { // atomic with an accept in progress, which would otherwise outlive the cut
      server.close();
      for (Socket socket : sockets) {
        closeQuietly(socket);
      }
      sockets.clear();
    }
    // A socket closed while a thread is blocked in its accept() keeps its port until that thread
    // has left accept(); the acceptor leaves at once, and takes the lock on its way out.
    Thread thread = acceptor;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the link was being cut", e);
    }
  }

  /** Accepts connections again, on the same port. */
  public void restore() throws IOException {
    listen(port);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    resume();
    cut();
  }
}
