package dev.llmproxy.opentelemetry;

/**
 * The GenAI operation ({@code gen_ai.operation.name}) an upstream path performs: {@code chat} for
 * Anthropic's messages and OpenAI's chat completions and responses, {@code text_completion}, {@code
 * embeddings}; {@code other} for the rest (models, token counts, batches, files).
 */
final class Operations {
  private Operations() {}

  static String of(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (p.endsWith("/v1/messages") || p.endsWith("/chat/completions") || p.endsWith("/responses")) {
      return "chat";
    }
    if (p.endsWith("/v1/completions")) {
      return "text_completion";
    }
    if (p.endsWith("/embeddings")) {
      return "embeddings";
    }
    return "other";
  }
}
