package dev.octet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model open in both engines with the same intra-op thread count: ONNX Runtime with its default session options
 * otherwise (all graph optimizations, so its fused Gelu, Attention and LayerNorm kernels run, as in LangChain4j),
 * Octet with its defaults. Opened once and run on many inputs.
 */
final class ParityEngines implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession ort;
    private final CompiledSession octet;

    ParityEngines(byte[] model, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            ort = env.createSession(model, options);
        }
        octet = new CompiledSession(OnnxImporter.load(model), SessionOptions.builder().threads(threads).build());
    }

    /** Both engines' values of one float output. */
    record Pair(float[] ort, float[] octet) {}

    Pair run(Map<String, Tensor> inputs, String output) throws OrtException {
        float[] ours = octet.run(inputs).get(output).floats();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (var e : inputs.entrySet()) {
                feed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
            }
            try (OrtSession.Result r = ort.run(feed)) {
                OnnxTensor t = (OnnxTensor) r.get(output).orElseThrow(
                    () -> new IllegalStateException("ONNX Runtime has no output " + output));
                var buffer = t.getFloatBuffer();
                float[] theirs = new float[buffer.remaining()];
                buffer.get(theirs);
                return new Pair(theirs, ours);
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        octet.close();
        ort.close();
    }
}
