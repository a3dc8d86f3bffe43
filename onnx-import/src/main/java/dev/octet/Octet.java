package dev.octet;

import dev.octet.api.ErrorCode;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.ops.TensorLimit;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The front door: loads an ONNX model and compiles it into a session ready to run.
 *
 * <pre>{@code
 * try (InferenceSession session = Octet.load(Path.of("model.onnx"))) {
 *     Tensor ids = Tensor.ofLongs(new long[] {101, 7592, 102}, 1, 3);
 *     Map<String, Tensor> out = session.run(Map.of("input_ids", ids));
 *     float[] logits = out.get("logits").floats();
 * }
 * }</pre>
 *
 * <p>Every failure (missing or unreadable file, malformed model, unsupported operator, bad options) is an
 * {@link OctetException} whose {@link ErrorCode} says which kind. Start the JVM with
 * {@code --add-modules jdk.incubator.vector} on the class path (the module path needs nothing) for the vector
 * kernels; without it Octet logs a warning and runs its scalar kernels, which give the same results, slower.
 */
public final class Octet {
    private Octet() {}

    /** A model file with default options; external data is read relative to its folder. */
    public static InferenceSession load(Path model) {
        return load(model, SessionOptions.DEFAULTS);
    }

    /** A model file; external data is read relative to its folder. */
    public static InferenceSession load(Path model, SessionOptions options) {
        nonNull(model, "model path");
        nonNull(options, "session options");
        return compiled(() -> OnnxImporter.load(model), options);
    }

    /** A model held in memory (the array is not modified), with default options; external data is rejected. */
    public static InferenceSession load(byte[] model) {
        return load(model, SessionOptions.DEFAULTS);
    }

    /** A model held in memory (the array is not modified); external data is rejected. */
    public static InferenceSession load(byte[] model, SessionOptions options) {
        nonNull(model, "model bytes");
        nonNull(options, "session options");
        return compiled(() -> OnnxImporter.load(model), options);
    }

    /**
     * A model read from a stream to its end (the stream is not closed), with default options; external data is
     * rejected.
     */
    public static InferenceSession load(InputStream model) {
        return load(model, SessionOptions.DEFAULTS);
    }

    /** A model read from a stream to its end (the stream is not closed); external data is rejected. */
    public static InferenceSession load(InputStream model, SessionOptions options) {
        nonNull(model, "model stream");
        nonNull(options, "session options");
        return compiled(() -> OnnxImporter.load(model), options);
    }

    /**
     * The imported model compiled; a heap too small for it is a RESOURCE_LIMIT error saying how large the heap is,
     * not an OutOfMemoryError (the arrays that fail are the model's own, unreachable once this returns). Import
     * already holds initializers and external data to the options' {@code maxTensorElements}.
     */
    private static InferenceSession compiled(java.util.function.Supplier<dev.octet.ir.Graph> model,
                                             SessionOptions options) {
        try {
            return new CompiledSession(TensorLimit.with(options.maxTensorElements(), model::get), options);
        } catch (OutOfMemoryError e) {
            throw new OctetException(ErrorCode.RESOURCE_LIMIT, "the model does not fit in the Java heap (at most "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB; " + e.getMessage()
                + "): start the JVM with a larger -Xmx", e);
        }
    }

    private static void nonNull(Object argument, String what) {
        if (argument == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "the " + what + " is null");
        }
    }
}
