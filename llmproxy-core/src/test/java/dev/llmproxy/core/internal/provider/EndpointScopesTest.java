package dev.llmproxy.core.internal.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.api.Scopes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointScopesTest {
  @ParameterizedTest
  @CsvSource({
    "/v1/messages, inference",
    "/v1/messages/, *",
    "/v1/messages//batches, *",
    "/v1/messages/%62atches, *",
    "/v1/messages/batches;x, *",
    "/v1/messages;x, *",
    "/v1/messages/anything, *",
    "/v1/files/count_tokens, files",
    "/v1/models/count_tokens, models",
    "/v1/responses/resp_1/input_items, inference",
    "/v1/responses/resp_1/cancel, inference",
    "/v1/responses/resp_1/other, *",
    "/v1/models/a/b, *",
    "/v1/messages/count_tokens, count_tokens",
    "/v1/messages/batches, batches",
    "/v1/messages/batches/msgbatch_1/results, batches",
    "/v1/complete, inference",
    "/v1/chat/completions, inference",
    "/v1/completions, inference",
    "/v1/responses, inference",
    "/v1/responses/resp_1, inference",
    "/v1/responses/input_tokens, count_tokens",
    "/v1/embeddings, inference",
    "/v1/audio/speech, inference",
    "/v1/audio/other, *",
    "/v1/images/generations, inference",
    "/v1/models, models",
    "/v1/models/claude-sonnet-4-5, models",
    "/v1/batches, batches",
    "/v1/files, files",
    "/v1/files/file_1/content, files",
    "/v1/uploads, files",
    "/v1/messagesX, *",
    "/v1/fine_tuning/jobs, *",
    "/, *",
  })
  void eachEndpointNeedsItsScopeAndTheUnknownNeedAll(String path, String scope) {
    assertEquals(scope, EndpointScopes.of(path));
  }

  @ParameterizedTest
  @CsvSource({"inference, true", "*, true", "models, false"})
  void aScopeIsGrantedByItselfOrAll(String held, boolean granted) {
    assertEquals(granted, Scopes.grants(java.util.Set.of(held), Scopes.INFERENCE));
  }
}
