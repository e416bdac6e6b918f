/**
 * Upstream credentials: {@link dev.llmproxy.core.credentials.SharedCredentialStore} (organisation
 * keys), {@link dev.llmproxy.core.credentials.ClaudeCredentialsFile} (a Claude subscription's OAuth
 * credentials), {@link dev.llmproxy.core.credentials.EncryptedCredentialStore} (users' own keys,
 * encrypted with Tink under a {@link dev.llmproxy.core.credentials.MasterKeyset}), and {@link
 * dev.llmproxy.core.credentials.CredentialChain} to try them in order.
 */
package dev.llmproxy.core.credentials;
