package dev.llmproxy.core.internal.metering;

import dev.llmproxy.api.Usage;

/**
 * Reads token usage from a copy of the response bytes as they are relayed. It runs beside the copy:
 * {@link #update} is handed each chunk after it was written to the client, must be cheap, and never
 * throws; malformed or truncated input gives partial usage, not an error.
 */
public interface UsageMeter {
  /** Sees the next {@code length} bytes of the response body. Never throws. */
  void update(byte[] bytes, int offset, int length);

  /**
   * What was read. Called once, when the response is over; {@link #update} is not called after it,
   * so a meter may release what it holds here.
   */
  Metered result();

  /**
   * Usage read from a response.
   *
   * @param usage the latest usage seen
   * @param complete whether the response reported its final usage (a truncated stream did not)
   * @param responseModel the model the upstream says answered, or {@code null}
   * @param finishReason why the generation stopped ({@code end_turn}, {@code stop}, ...), or {@code
   *     null}
   */
  record Metered(Usage usage, boolean complete, String responseModel, String finishReason) {
    static final Metered NONE = new Metered(Usage.NONE, false);

    Metered(Usage usage, boolean complete) {
      this(usage, complete, null, null);
    }
  }

  /** A meter that reads nothing, for responses no meter understands. */
  UsageMeter NONE =
      new UsageMeter() {
        @Override
        public void update(byte[] bytes, int offset, int length) {}

        @Override
        public Metered result() {
          return Metered.NONE;
        }
      };
}
