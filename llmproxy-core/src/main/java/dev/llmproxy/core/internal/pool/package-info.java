/**
 * The running state of upstream pools: which member a request tries next (strategy, affinity,
 * rest), how long a member rests, and how many exchanges each has in flight.
 */
package dev.llmproxy.core.internal.pool;
