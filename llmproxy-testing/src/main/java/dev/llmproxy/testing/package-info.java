/**
 * Test fixtures for hosts and store authors: the {@link dev.llmproxy.testing.LedgerContract},
 * {@link dev.llmproxy.testing.TokenStoreContract} and {@link
 * dev.llmproxy.testing.EncryptedKeyStoreContract} suites every implementation in this project
 * passes, and a {@link dev.llmproxy.testing.ManualClock}. Use as a test-scope dependency.
 */
package dev.llmproxy.testing;
