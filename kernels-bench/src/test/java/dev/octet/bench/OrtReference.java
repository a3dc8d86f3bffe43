package dev.octet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.octet.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime as the reference the agreement tests compare Octet with: one run, one intra-op thread. */
final class OrtReference {
    private OrtReference() {}

    static Map<String, Output> run(byte[] model, Map<String, Tensor> inputs, OptLevel level) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, Output> out = new LinkedHashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(level);
            try (OrtSession ort = env.createSession(model, options)) {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                for (var e : inputs.entrySet()) {
                    feed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
                }
                try (OrtSession.Result r = ort.run(feed)) {
                    for (var e : r) {
                        out.put(e.getKey(), OrtTensors.toOutput(e.getKey(), e.getValue()));
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
        return out;
    }
}
