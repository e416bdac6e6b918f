/**
 * Upstream pools: several accounts or endpoints behind one provider. An {@link
 * dev.llmproxy.core.pools.UpstreamPool} of {@link dev.llmproxy.core.pools.PoolMember}s serves the
 * requests for which the credential store has no credential of the caller's own, spreads them by a
 * {@link dev.llmproxy.core.pools.PoolStrategy}, rests members that are rate limited or failing, and
 * fails over to another member before any byte reached the client. See {@code docs/pools.md}.
 */
package dev.llmproxy.core.pools;
