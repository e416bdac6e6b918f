package dev.llmproxy.jdbc;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that bounds every wait on its database and fails fast while it is
 * unreachable: after a connection could not be had, every caller is refused at once (the stores
 * answer 503) instead of each waiting out the pool's connection timeout in turn, until, after
 * {@code probeAfter}, one caller tries the database again; its success lets everyone through. Only
 * failures to get a connection count: a query that fails on a live connection is the query's
 * problem, not an outage, and neither is a pool that timed out while its database stayed healthy
 * (all connections busy under load: Hikari's timeout then has no cause), lest a busy database flip
 * every caller to 503.
 *
 * <p>A database that stops answering on a connection already open (hung, or behind a network that
 * drops packets) is bounded too: every connection handed out has a network timeout ({@code
 * callTimeout}, {@link Connection#setNetworkTimeout}), so a call on it fails after that long
 * instead of waiting forever; the pool restores the connection's own setting when it is returned.
 * Drivers without network timeouts (H2 embedded, which has no network) ignore it.
 *
 * <pre>{@code
 * DataSource stores = FailFastDataSource.wrap(hikariPool);
 * TokenStore tokens = new JdbcTokenStore(stores);
 * }</pre>
 */
public final class FailFastDataSource implements DataSource {
  /** How long the database is left alone after a failure by default. */
  public static final Duration DEFAULT_PROBE_AFTER = Duration.ofSeconds(1);

  /** How long a call may wait on a connection's socket by default. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final DataSource delegate;
  private final CircuitBreaker breaker;
  private final int callTimeoutMillis;

  private FailFastDataSource(DataSource delegate, Duration probeAfter, Duration callTimeout) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.callTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, callTimeout.toMillis());
    if (callTimeoutMillis <= 0) {
      throw new IllegalArgumentException("callTimeout must be at least a millisecond");
    }
    this.breaker =
        CircuitBreaker.of(
            "llmproxy-database",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(1)
                .minimumNumberOfCalls(1)
                .failureRateThreshold(100)
                .waitDurationInOpenState(probeAfter)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(SQLException.class)
                .ignoreException(FailFastDataSource::isBusyPool)
                .build());
  }

  /**
   * Whether {@code e} is a pool's timeout while its database was healthy: a timeout without the
   * connection failure that caused it (Hikari attaches its last one, and forgets it once a
   * connection succeeds).
   */
  static boolean isBusyPool(Throwable e) {
    return e instanceof SQLTransientConnectionException && e.getCause() == null;
  }

  /**
   * {@code delegate} (a connection pool), failing fast for {@link #DEFAULT_PROBE_AFTER}, each call
   * bounded by {@link #DEFAULT_CALL_TIMEOUT}.
   */
  public static FailFastDataSource wrap(DataSource delegate) {
    return wrap(delegate, DEFAULT_PROBE_AFTER);
  }

  /** {@code delegate}, left alone for {@code probeAfter} after each failure to connect. */
  public static FailFastDataSource wrap(DataSource delegate, Duration probeAfter) {
    return wrap(delegate, probeAfter, DEFAULT_CALL_TIMEOUT);
  }

  /** As above, each call on a connection bounded by {@code callTimeout}. */
  public static FailFastDataSource wrap(
      DataSource delegate, Duration probeAfter, Duration callTimeout) {
    return new FailFastDataSource(delegate, probeAfter, callTimeout);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connect(delegate::getConnection);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return connect(() -> delegate.getConnection(username, password));
  }

  private interface Connect {
    Connection get() throws SQLException;
  }

  private Connection connect(Connect connect) throws SQLException {
    if (!breaker.tryAcquirePermission()) {
      throw new SQLTransientConnectionException(
          "the database was unreachable moments ago; failing fast", "08001");
    }
    long start = System.nanoTime();
    try {
      Connection connection = connect.get();
      breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      try {
        connection.setNetworkTimeout(Runnable::run, callTimeoutMillis);
      } catch (SQLFeatureNotSupportedException e) {
        // a driver without network timeouts: its calls stay unbounded
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return connection;
    } catch (SQLException | RuntimeException | Error e) { // always hand the permit back
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      throw e;
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
