package com.example.embed;

import dev.octet.Octet;
import dev.octet.api.InferenceSession;
import dev.octet.api.Tensor;
import dev.octet.api.TensorInfo;
import dev.octet.text.SentenceEmbedder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class EmbedApp {
    public static void main(String[] args) {
        // Sentence embeddings with the bundled all-MiniLM-L6-v2 (int8): unit vectors, so the dot product is the cosine.
        try (SentenceEmbedder embedder = SentenceEmbedder.bundledMiniLm(SentenceEmbedder.Options.DEFAULTS)) {
            float[][] v = embedder.embed(List.of("A man is eating food.", "A man is eating a piece of bread."));
            double cosine = 0;
            for (int i = 0; i < v[0].length; i++) cosine += v[0][i] * v[1][i];
            System.out.printf("dimension %d, cosine %.6f%n", v[0].length, cosine);
        }
        // Any ONNX model through the front door, fed zeros (size 1 for every dimension not fixed).
        if (args.length > 0) {
            try (InferenceSession session = Octet.load(Path.of(args[0]))) {
                Map<String, Tensor> inputs = new HashMap<>();
                for (TensorInfo in : session.inputs()) {
                    int[] shape = in.shape().stream().mapToInt(d -> d.isFixed() ? (int) d.size() : 1).toArray();
                    inputs.put(in.name(), Tensor.zeros(in.type(), shape));
                }
                session.run(inputs).forEach((name, out) -> System.out.println(name + " " + out + " " + out.getDouble(0)));
            }
        }
    }
}
