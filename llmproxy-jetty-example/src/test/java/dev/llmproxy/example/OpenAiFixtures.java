package dev.llmproxy.example;

/** Recorded-shape OpenAI responses. */
final class OpenAiFixtures {
  private OpenAiFixtures() {}

  static final String REQUEST_JSON =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi \\u00e9\"}]}";

  static final String CHAT_JSON =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
          + "\"content\":\"Hello!\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0}}}";

  private static String chunk(String choices, String usage) {
    return "data: {\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"gpt-4o-mini\",\"choices\":"
        + choices
        + ",\"usage\":"
        + usage
        + "}\n\n";
  }

  static final String CHAT_STREAM =
      chunk(
              "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]",
              "null")
          + chunk("[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]", "null")
          + chunk("[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]", "null")
          + chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]", "null")
          + chunk("[]", "{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16}")
          + "data: [DONE]\n\n";

  static final String RESPONSES_JSON =
      "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1700000000,\"status\":\"completed\","
          + "\"model\":\"gpt-4o-mini\",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\","
          + "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
          + "\"text\":\"Hello!\",\"annotations\":[]}]}],\"parallel_tool_calls\":true,"
          + "\"tool_choice\":\"auto\",\"tools\":[],\"error\":null,\"incomplete_details\":null,"
          + "\"instructions\":null,\"metadata\":{},\"temperature\":1.0,\"top_p\":1.0,"
          + "\"usage\":{\"input_tokens\":40,\"input_tokens_details\":{\"cached_tokens\":8},"
          + "\"output_tokens\":12,\"output_tokens_details\":{\"reasoning_tokens\":0},"
          + "\"total_tokens\":52}}";
}
