package dev.octet.api;

/**
 * How a session compiles and runs a model. Immutable; build with {@link #builder()}.
 *
 * @param graphOptimizations whether the compiler's rewrite passes run (QDQ fusion and friends). Off runs the
 *                           model exactly as written, operator by operator, which is slower and, for QDQ
 *                           models, rounds differently from ONNX Runtime's optimized graph.
 */
public record SessionOptions(boolean graphOptimizations) {
    public static final SessionOptions DEFAULTS = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean graphOptimizations = true;

        public Builder graphOptimizations(boolean on) {
            this.graphOptimizations = on;
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(graphOptimizations);
        }
    }
}
