package dev.octet.api;

/**
 * How a session compiles and runs a model. Immutable; build with {@link #builder()}.
 *
 * @param graphOptimizations whether the compiler's rewrite passes run (QDQ fusion and friends). Off runs the
 *                           model exactly as written, operator by operator, which is slower and, for QDQ
 *                           models, rounds differently from ONNX Runtime's optimized graph.
 * @param shapeSpecialization whether runs use plans specialized for their input shapes (compiled once per
 *                            shape signature, a few kept), which fold away shape computations. Off suits
 *                            workloads whose shapes rarely repeat.
 */
public record SessionOptions(boolean graphOptimizations, boolean shapeSpecialization) {
    public static final SessionOptions DEFAULTS = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean graphOptimizations = true;
        private boolean shapeSpecialization = true;

        public Builder graphOptimizations(boolean on) {
            this.graphOptimizations = on;
            return this;
        }

        public Builder shapeSpecialization(boolean on) {
            this.shapeSpecialization = on;
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(graphOptimizations, shapeSpecialization);
        }
    }
}
