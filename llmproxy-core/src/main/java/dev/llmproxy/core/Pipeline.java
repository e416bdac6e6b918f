package dev.llmproxy.core;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.UpstreamClient;
import java.time.Clock;

/** The stages and collaborators every exchange shares; built once by {@link LlmProxy}. */
record Pipeline(
    Router router,
    Authenticator authenticator,
    BodyReader bodyReader,
    BudgetLedger ledger,
    CredentialResolver credentials,
    UpstreamClient upstream,
    Listeners listeners,
    Clock clock,
    PriceTable prices,
    Authorizer authorizer,
    long defaultMaxOutputTokens) {}
