/**
 * Provider knowledge: one {@code ProviderProfile} per upstream API (base URL, headers, credential
 * injection, error envelope, usage meter), the {@code Router} that picks one from the path, and the
 * request peek. A new provider is a new profile, built in {@code Providers}. Internal: not API.
 */
package dev.llmproxy.core.internal.provider;
