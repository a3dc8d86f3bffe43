package dev.octet.api;

/**
 * How a session compiles and runs a model. Immutable; build with {@link #builder()}.
 *
 * @param graphOptimizations  whether the compiler's rewrite passes run (QDQ fusion and friends). Off runs the
 *                            model exactly as written, operator by operator: slower and, for QDQ models,
 *                            rounded differently from ONNX Runtime's optimized graph
 * @param shapeSpecialization whether runs use plans specialized for their input shapes (compiled once per
 *                            shape signature, a few kept), which fold away shape computations. Off suits
 *                            workloads whose shapes rarely repeat
 * @param provider            kernels: "auto" (vector when the JVM runs it well), "scalar" or "vector"
 * @param vectorBits          vector width for the vector kernels: 128, 256, 512, or 0 for the JVM's preferred
 * @param warmup              whether vector kernels run scalar arithmetic (the same bits) until a background
 *                            warm-up has had C2 compile their vector code (default true, or
 *                            {@code -Doctet.warmup}): fast from the first call instead of seconds of boxed
 *                            vectors. Off runs the vector code from the start
 * @param threads             threads per operator (the calling thread plus threads - 1 owned by the session)
 * @param maxLoopIterations   the most iterations one Loop or Scan may run before the run fails with
 *                            {@link ErrorCode#RESOURCE_LIMIT} (default 1,000,000), so a loop whose condition
 *                            never becomes false cannot hang the caller
 * @param requireVectorKernels whether a session that would run the scalar kernels (e.g. a JVM started without
 *                            {@code --add-modules jdk.incubator.vector} on the class path) fails with
 *                            {@link ErrorCode#UNSUPPORTED_RUNTIME} instead of logging a warning and running
 *                            about 20x slower (the same results). Default false, or
 *                            {@code -Doctet.requireVectorKernels=true}
 * @param maxTensorElements   the most elements any one tensor or buffer may have while the model loads, compiles
 *                            and runs; a larger one (an input-driven Expand, Pad, Resize or ConstantOfShape, an
 *                            initializer) fails with {@link ErrorCode#RESOURCE_LIMIT} before it is allocated.
 *                            Default unlimited, which means what the JVM's maximum heap holds
 *                            ({@link Tensor#HEAP_ELEMENTS}); a server that runs models it did not write sets it
 *                            to what one request may take
 * @param maxFoldedElements   the most elements of a value computed at load by constant folding; a node whose
 *                            constant result would be larger is not folded and runs at run time instead (under
 *                            {@code maxTensorElements}), so loading a model never materializes more than this per
 *                            value. Default unlimited (the tensor limit)
 */
public record SessionOptions(boolean graphOptimizations, boolean shapeSpecialization, String provider, int vectorBits,
                             boolean warmup, int threads, long maxLoopIterations,
                             boolean requireVectorKernels, long maxTensorElements, long maxFoldedElements) {
    public static final SessionOptions DEFAULTS = builder().build();

    public SessionOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (vectorBits != 0 && vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
            throw new IllegalArgumentException("vectorBits must be 0, 128, 256 or 512, got " + vectorBits);
        }
        if (maxLoopIterations < 1) {
            throw new IllegalArgumentException("maxLoopIterations must be at least 1, got " + maxLoopIterations);
        }
        if (maxTensorElements < 1) {
            throw new IllegalArgumentException("maxTensorElements must be at least 1, got " + maxTensorElements);
        }
        if (maxFoldedElements < 1) {
            throw new IllegalArgumentException("maxFoldedElements must be at least 1, got " + maxFoldedElements);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean graphOptimizations = true;
        private boolean shapeSpecialization = true;
        private String provider = System.getProperty("octet.provider", "auto");
        private int vectorBits = Integer.getInteger("octet.vectorBits", 0);
        private boolean warmup = Boolean.parseBoolean(System.getProperty("octet.warmup", "true"));
        private int threads = 1;
        private long maxLoopIterations = dev.octet.ops.ControlFlow.DEFAULT_MAX_ITERATIONS;
        private boolean requireVectorKernels = Boolean.getBoolean("octet.requireVectorKernels");
        private long maxTensorElements = Long.MAX_VALUE;
        private long maxFoldedElements = Long.MAX_VALUE;

        private Builder() {}

        public Builder graphOptimizations(boolean on) {
            this.graphOptimizations = on;
            return this;
        }

        public Builder shapeSpecialization(boolean on) {
            this.shapeSpecialization = on;
            return this;
        }

        public Builder provider(String name) {
            this.provider = name;
            return this;
        }

        public Builder vectorBits(int bits) {
            this.vectorBits = bits;
            return this;
        }

        public Builder warmup(boolean on) {
            this.warmup = on;
            return this;
        }

        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        public Builder maxLoopIterations(long n) {
            this.maxLoopIterations = n;
            return this;
        }

        public Builder requireVectorKernels(boolean on) {
            this.requireVectorKernels = on;
            return this;
        }

        public Builder maxTensorElements(long n) {
            this.maxTensorElements = n;
            return this;
        }

        public Builder maxFoldedElements(long n) {
            this.maxFoldedElements = n;
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(graphOptimizations, shapeSpecialization, provider, vectorBits, warmup, threads,
                maxLoopIterations, requireVectorKernels, maxTensorElements, maxFoldedElements);
        }
    }
}
