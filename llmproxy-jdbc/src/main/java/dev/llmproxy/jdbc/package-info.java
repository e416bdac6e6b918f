/**
 * Durable llmproxy state on plain JDBC over a {@link javax.sql.DataSource}: issued tokens,
 * encrypted user keys and the budget ledger, on H2 (the embedded default) or PostgreSQL (for
 * several proxy instances sharing one ledger). Run {@link dev.llmproxy.jdbc.JdbcSchema#migrate}
 * once at start. Exactness lives in SQL, not in JVM locks: every reservation is a short transaction
 * of conditional single-row updates.
 */
package dev.llmproxy.jdbc;
