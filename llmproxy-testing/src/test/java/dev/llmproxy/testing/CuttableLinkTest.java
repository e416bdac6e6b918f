package dev.llmproxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A cut leaves no connection open, not even one accepted at the moment of the cut. */
class CuttableLinkTest {
  @Test
  void noConnectionAcceptedDuringACutOutlivesIt() throws Exception {
    try (ServerSocket database = new ServerSocket(0, 500, InetAddress.getLoopbackAddress())) {
      Thread holder = new Thread(() -> holdEverything(database), "silent-database");
      holder.setDaemon(true);
      holder.start();
      for (int round = 0; round < 40; round++) {
        HELD.clear(); // the last round's were cut: closed, and read as ended at once anyway
        List<Socket> clients = new ArrayList<>();
        try (CuttableLink link = new CuttableLink("127.0.0.1", database.getLocalPort())) {
          CountDownLatch connecting = new CountDownLatch(1);
          Thread dialer =
              new Thread(
                  () -> {
                    connecting.countDown();
                    for (int i = 0; i < 30; i++) {
                      try {
                        Socket socket = new Socket(InetAddress.getLoopbackAddress(), link.port());
                        synchronized (clients) {
                          clients.add(socket);
                        }
                      } catch (IOException refused) {
                        return; // cut
                      }
                    }
                  });
          dialer.start();
          connecting.await();
          link.cut();
          dialer.join();
          synchronized (clients) {
            for (Socket client : clients) {
              assertClosedByLink(client, round);
            }
          }
        } finally {
          for (Socket client : clients) {
            client.close();
          }
        }
      }
    }
  }

  @Test
  void aRestoredLinkCarriesBytesAgain() throws Exception {
    try (ServerSocket database = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CuttableLink link = new CuttableLink("127.0.0.1", database.getLocalPort())) {
      link.cut();
      link.restore();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), link.port());
          Socket server = database.accept()) {
        client.getOutputStream().write(42);
        client.getOutputStream().flush();
        server.setSoTimeout(5_000);
        assertEquals(42, server.getInputStream().read());
      }
    }
  }

  /**
   * The client's connection is closed, or at least carries nothing to the database: the JDK may
   * drop a connection it accepted as the listening socket closed without closing it, and that one
   * stays open, unpiped, as a stalled network would.
   */
  private static void assertClosedByLink(Socket client, int round) throws IOException {
    client.setSoTimeout(5_000);
    try {
      assertEquals(-1, client.getInputStream().read(), "the link sent a byte");
    } catch (SocketTimeoutException stillOpen) {
      try {
        client.getOutputStream().write(MARK);
        client.getOutputStream().flush();
      } catch (SocketException closedMeanwhile) {
        return; // cut after all
      }
      for (Socket side : HELD) {
        side.setSoTimeout(500);
        try {
          if (side.getInputStream().read() == MARK) {
            fail("round " + round + ": a connection accepted during the cut still reaches it");
          }
        } catch (SocketTimeoutException | SocketException quiet) {
          // nothing passed on this one
        }
      }
    } catch (SocketException reset) {
      // closed with a reset: cut too
    }
  }

  private static final int MARK = 0x5a;
  private static final List<Socket> HELD = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static void holdEverything(ServerSocket database) {
    while (!database.isClosed()) {
      try {
        HELD.add(database.accept()); // never answers, never closes: a live database at rest
      } catch (IOException closed) {
        return;
      }
    }
  }
}
