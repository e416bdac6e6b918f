package dev.llmproxy.example;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;
import java.util.Set;

/**
 * Tells the pool to drop a connection whose database went away, beyond the SQL-standard connection
 * errors (class 08) it drops anyway: PostgreSQL's shutdown states (57P01–57P03) and H2's
 * "connection broken" (90067) and "database closed" (90121). Without this, a restarted database
 * would keep answering through dead pooled connections until they idle out.
 */
final class EvictBrokenConnections implements SQLExceptionOverride {
  private static final Set<String> GONE =
      Set.of("57P01", "57P02", "57P03", "90067", "90098", "90121");

  @java.lang.Override // the interface's nested enum is also called Override
  public SQLExceptionOverride.Override adjudicate(SQLException e) {
    for (SQLException current = e; current != null; current = current.getNextException()) {
      if (current.getSQLState() != null && GONE.contains(current.getSQLState())) {
        return SQLExceptionOverride.Override.MUST_EVICT;
      }
    }
    return SQLExceptionOverride.Override.CONTINUE_EVICT;
  }
}
