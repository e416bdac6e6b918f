package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.PriceTable;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.provider.Router;
import java.time.Clock;

/** The stages and collaborators every exchange shares; built once by {@link LlmProxy}. */
public record Pipeline(
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
