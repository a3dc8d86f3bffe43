package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import dev.octet.api.Tensor;
import dev.octet.models.BundledModels;
import dev.octet.onnx.proto.Onnx.ModelProto;
import dev.octet.testmodels.BertEncoders;
import dev.octet.testmodels.QuantizedCnns;
import dev.octet.testmodels.QuantizedCnns.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole models bit for bit against ONNX Runtime 1.23.2 with its default optimizations (issue 14's acceptance): the
 * bundled all-MiniLM-L6-v2-q, the 12-layer BERT-style encoder test-models generates, LangChain4j's e5-small-v2-q
 * (a real 12-layer export of the same exporter), and the U-Net's Sigmoid head. Both engines run with the same
 * intra-op thread count, 1 or 2; each model is opened once per thread count and engine.
 *
 * <p>Transformer inputs: token ids drawn from the vocabulary, token types 0; "padded" batches have row 0 unpadded
 * and every other row's mask zero (and its ids 0, as a tokenizer pads) over a different number of trailing
 * positions. The sweep is chosen to stay under a minute on two cores: MiniLM at batch 1 over 19 sequence lengths in
 * 1..256 (around 16, 32, 128 and 256), padded batches of 3 and 8 up to 256, 10 combinations on 2 threads; the
 * 12-layer models on 15 combinations, 3 of them on 2 threads.
 */
class OrtModelParityTest {
    private static final String HIDDEN = "last_hidden_state";
    private static final Map<String, ParityEngines> OPEN = new HashMap<>();

    @AfterAll
    static void closeEngines() throws Exception {
        for (ParityEngines e : OPEN.values()) {
            e.close();
        }
        OPEN.clear();
    }

    private static ParityEngines engines(String model, int threads) throws Exception {
        String key = model + "/" + threads;
        ParityEngines open = OPEN.get(key);
        if (open == null) {
            open = new ParityEngines(modelBytes(model), threads);
            OPEN.put(key, open);
        }
        return open;
    }

    private static byte[] modelBytes(String model) {
        return switch (model) {
            case "minilm" -> BundledModels.minilmModelBytes();
            case "bert12" -> BertEncoders.generate(BertEncoders.TWELVE_LAYERS, BertEncoders.DEFAULT_SEED);
            case "e5-small-v2-q" -> resource("/e5-small-v2-q.onnx");
            default -> throw new IllegalArgumentException(model);
        };
    }

    /** A model inside a LangChain4j artifact on the test classpath. */
    private static byte[] resource(String path) {
        try (InputStream in = OrtModelParityTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path + " is not on the test classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One run's shape: batch, sequence length, padded or not, intra-op threads. */
    record Case(int batch, int seq, boolean padded, int threads) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "batch=%d seq=%d%s threads=%d", batch, seq, padded ? " padded" : "",
                threads);
        }
    }

    /** Batch 1 at each length, then padded batches of 3 and 8 at some, on 1 thread; then a few on 2 threads. */
    private static Stream<Case> cases(int[] batch1, int[] padded3, int[] padded8, Case... twoThreads) {
        return Stream.of(IntStream.of(batch1).mapToObj(s -> new Case(1, s, false, 1)),
            IntStream.of(padded3).mapToObj(s -> new Case(3, s, true, 1)),
            IntStream.of(padded8).mapToObj(s -> new Case(8, s, true, 1)), Stream.of(twoThreads)).flatMap(c -> c);
    }

    static Stream<Case> miniLmCases() {
        return cases(new int[] {1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 64, 77, 100, 127, 128, 129, 200, 255, 256},
            new int[] {2, 16, 77, 128, 256}, new int[] {7, 64, 128, 256},
            new Case(3, 77, false, 1), new Case(1, 1, false, 2), new Case(1, 77, false, 2), new Case(1, 128, false, 2),
            new Case(1, 256, false, 2), new Case(3, 77, true, 2), new Case(3, 256, true, 2), new Case(8, 16, true, 2),
            new Case(8, 128, true, 2), new Case(8, 256, true, 2));
    }

    static Stream<Case> twelveLayerCases() {
        return cases(new int[] {1, 2, 7, 16, 77, 128, 256}, new int[] {16, 77, 256}, new int[] {64, 128},
            new Case(1, 128, false, 2), new Case(3, 77, true, 2), new Case(8, 256, true, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("miniLmCases")
    void miniLm(Case c) throws Exception {
        compareEncoder("minilm", 30522, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("twelveLayerCases")
    void generatedTwelveLayers(Case c) throws Exception {
        compareEncoder("bert12", BertEncoders.TWELVE_LAYERS.vocabulary(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("twelveLayerCases")
    void e5SmallV2(Case c) throws Exception {
        compareEncoder("e5-small-v2-q", 30522, c);
    }

    private static void compareEncoder(String model, int vocabulary, Case c) throws Exception {
        Map<String, Tensor> inputs = encoderInputs(vocabulary, c.batch(), c.seq(), c.padded());
        ParityEngines.Pair out = engines(model, c.threads()).run(inputs, HIDDEN);
        int seq = c.seq(), hidden = out.ort().length / (c.batch() * seq);
        new BitParity(model + " " + c).add(out.ort(), out.octet(), i -> String.format(Locale.ROOT,
            "row %d, token %d, channel %d", i / (seq * hidden), i / hidden % seq, i % hidden)).assertExact();
    }

    private static Map<String, Tensor> encoderInputs(int vocabulary, int batch, int seq, boolean padded) {
        SplittableRandom r = new SplittableRandom(31L * batch + seq);
        long[] ids = new long[batch * seq], mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            int padding = padded && b > 0 && seq > 1 ? 1 + (b * 37 + 11) % (seq - 1) : 0;
            for (int s = 0; s < seq; s++) {
                boolean real = s < seq - padding;
                ids[b * seq + s] = real ? r.nextLong(vocabulary) : 0;
                mask[b * seq + s] = real ? 1 : 0;
            }
        }
        return Map.of("input_ids", Tensor.ofLongs(ids, batch, seq), "attention_mask", Tensor.ofLongs(mask, batch, seq),
            "token_type_ids", Tensor.ofLongs(new long[batch * seq], batch, seq));
    }

    /**
     * What makes the generated encoder a stand-in for the real exports: ONNX Runtime's default optimizations turn it
     * into the same kernels, as often, as they turn MiniLM (6 layers) and e5-small-v2 (12) into. Measured on the
     * exports: per layer 3 DynamicQuantizeMatMul, 3 MatMulIntegerToFloat, 2 LayerNormalization, 1 Gelu, 1 FusedMatMul
     * (the scores, scaled by 1/sqrt(head size)), 1 Softmax; ORT 1.23 fuses no Attention in these graphs.
     */
    @Test
    void ortOptimizesTheGeneratedEncoderAsItOptimizesTheExports(@TempDir Path dir) throws Exception {
        BertEncoders.Dims sixLayers = new BertEncoders.Dims(6, 384, 12, 1536, 1000);
        assertEquals(ortOptimizedOps(modelBytes("minilm"), dir.resolve("minilm.onnx")),
            ortOptimizedOps(BertEncoders.generate(sixLayers, BertEncoders.DEFAULT_SEED), dir.resolve("six.onnx")));
        assertEquals(ortOptimizedOps(modelBytes("e5-small-v2-q"), dir.resolve("e5.onnx")),
            ortOptimizedOps(modelBytes("bert12"), dir.resolve("twelve.onnx")));
    }

    /** Operator counts of the graph ONNX Runtime runs, by domain and type. */
    private static Map<String, Long> ortOptimizedOps(byte[] model, Path optimized) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizedModelFilePath(optimized.toString());
            env.createSession(model, options).close();
        }
        return ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList().stream()
            .collect(Collectors.groupingBy(n -> n.getDomain() + ":" + n.getOpType(), TreeMap::new,
                Collectors.counting()));
    }

    /** The U-Net's Sigmoid head on a 32x32 input: every layer before it is bit-exact (QuantizedCnnsVsOrtTest). */
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void unetSigmoidHead(int threads) throws Exception {
        int size = 32;
        byte[] model = QuantizedCnns.generate(Kind.UNET_DYNAMIC, size, QuantizedCnns.DEFAULT_SEED);
        SplittableRandom r = new SplittableRandom(7);
        float[] image = new float[3 * size * size];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextDouble();
        }
        try (ParityEngines engines = new ParityEngines(model, threads)) {
            ParityEngines.Pair out = engines.run(Map.of("input", Tensor.ofFloats(image, 1, 3, size, size)), "mask");
            new BitParity("unet-dynamic " + size + " Sigmoid head, threads=" + threads).add(out.ort(), out.octet(),
                i -> String.format(Locale.ROOT, "pixel (%d, %d)", i / size, i % size)).assertExact();
        }
    }
}
