package dev.octet.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.octet.models.BundledModels;
import dev.octet.text.SentenceEmbedder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The embedding app of scripts/bench-embed-app: what a user app does to embed one sentence with MiniLM (int8),
 * on Octet ({@link SentenceEmbedder} with the bundled model) or on LangChain4j's ONNX Runtime-based
 * {@link AllMiniLmL6V2QuantizedEmbeddingModel}, each through its public API with its defaults. One fresh JVM
 * per call: {@code EmbedApp octet|ort RUNS TEXT} loads the model, embeds TEXT RUNS times and prints one
 * {@code embed-run:} line (see {@link Measurement#line()}). The engines live in their own classes so that a
 * process loads only its engine's classes; the measured path avoids lambdas and string concatenation, whose
 * first use costs a fresh JVM tens of milliseconds that neither engine should be charged for.
 */
public final class EmbedApp {
    /** Which library embeds. */
    enum Engine {
        OCTET, ORT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One engine's sentence embedding, as a user app calls it. */
    interface SentenceModel {
        float[] embed(String text);

        /**
         * The token count of {@code text} as the engine reports it: Octet's is the model's sequence length, with
         * [CLS] and [SEP]; LangChain4j's leaves those two out.
         */
        int tokens(String text);
    }

    /** Octet: the bundled MiniLM through {@link SentenceEmbedder}. */
    static final class OctetModel implements SentenceModel {
        private final SentenceEmbedder embedder = SentenceEmbedder.load(BundledModels.MINILM);

        @Override
        public float[] embed(String text) {
            return embedder.embed(List.of(text))[0];
        }

        @Override
        public int tokens(String text) {
            return embedder.tokenizer().encode(text).length;
        }
    }

    /** LangChain4j's in-process MiniLM on ONNX Runtime; its token count comes with each response. */
    static final class OrtModel implements SentenceModel {
        private final EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
        private Response<Embedding> last;

        @Override
        public float[] embed(String text) {
            last = model.embed(text);
            return last.content().vector();
        }

        /** The count LangChain4j reported with the last embedding of {@code text}: measure() always embeds first. */
        @Override
        public int tokens(String text) {
            Integer count = last.tokenUsage() == null ? null : last.tokenUsage().inputTokenCount();
            return count == null ? -1 : count;
        }
    }

    /**
     * One process's figures. Allocation is what the calling thread allocated on the Java heap (ONNX Runtime's
     * native memory is not in it; it is in the peak RSS); {@code steadyAllocBytes} is the mean over the last third
     * of the runs. {@code peakRssKb} is VmHWM, -1 where /proc is missing; {@code tokens} -1 when unknown.
     */
    record Measurement(Engine engine, double loadMs, double[] runMs, long firstAllocBytes, long steadyAllocBytes,
                       long peakRssKb, int tokens, float[] lastEmbedding) {
        double steadyMs() {
            return EmbedStats.steadyStateMs(runMs);
        }

        int settleRun() {
            return EmbedStats.settleRun(runMs, steadyMs());
        }

        /**
         * {@code embed-run: engine=E runs=R tokens=T dims=D load_ms=.. first_ms=.. run2_ms=.. run3_ms=.. run10_ms=..
         * run20_ms=.. steady_ms=.. settle_run=K first_alloc_bytes=.. steady_alloc_bytes=.. peak_rss_kb=..};
         * {@code n/a} for runs beyond R and a missing RSS.
         */
        String line() {
            StringBuilder b = new StringBuilder(320).append("embed-run: engine=").append(engine.label());
            b.append(" runs=").append(runMs.length).append(" tokens=").append(tokens);
            b.append(" dims=").append(lastEmbedding.length);
            appendMs(b.append(" load_ms="), loadMs);
            appendMs(b.append(" first_ms="), runMs[0]);
            for (int run : new int[] {2, 3, 10, 20}) {
                b.append(" run").append(run).append("_ms=");
                if (run <= runMs.length) {
                    appendMs(b, runMs[run - 1]);
                } else {
                    b.append("n/a");
                }
            }
            appendMs(b.append(" steady_ms="), steadyMs());
            b.append(" settle_run=").append(settleRun());
            b.append(" first_alloc_bytes=").append(firstAllocBytes);
            b.append(" steady_alloc_bytes=").append(steadyAllocBytes);
            b.append(" peak_rss_kb=");
            if (peakRssKb < 0) {
                b.append("n/a");
            } else {
                b.append(peakRssKb);
            }
            return b.toString();
        }

        /** Milliseconds with three decimals, without java.util.Formatter (costly to load in a fresh JVM). */
        private static void appendMs(StringBuilder b, double ms) {
            long micros = Math.round(ms * 1000);
            long frac = micros % 1000;
            b.append(micros / 1000).append('.').append(frac < 100 ? (frac < 10 ? "00" : "0") : "").append(frac);
        }
    }

    private EmbedApp() {}

    public static void main(String[] args) {
        Engine engine;
        int runs;
        try {
            if (args.length != 3) {
                throw new IllegalArgumentException("expected 3 arguments, got " + args.length);
            }
            engine = Engine.valueOf(args[0].toUpperCase(Locale.ROOT));
            runs = Integer.parseInt(args[1]);
            if (runs < 1) {
                throw new IllegalArgumentException("RUNS must be at least 1, got " + runs);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("embed-app: " + e.getMessage());
            System.err.println("usage: EmbedApp octet|ort RUNS TEXT");
            System.exit(2);
            return;
        }
        System.out.println(measure(engine, runs, args[2]).line());
    }

    /** Loads the engine's model, embeds {@code text} {@code runs} times, reads the peak RSS last. */
    static Measurement measure(Engine engine, int runs, String text) {
        // Created before the clock starts: the management classes are the harness's cost, not the engine's.
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        SentenceModel model = engine == Engine.OCTET ? new OctetModel() : new OrtModel();
        double loadMs = (System.nanoTime() - start) / 1e6;
        double[] runMs = new double[runs];
        long[] allocBytes = new long[runs];
        float[] embedding = null;
        for (int i = 0; i < runs; i++) {
            long allocBefore = threads.getCurrentThreadAllocatedBytes();
            long before = System.nanoTime();
            embedding = model.embed(text);
            long after = System.nanoTime();
            allocBytes[i] = threads.getCurrentThreadAllocatedBytes() - allocBefore;
            runMs[i] = (after - before) / 1e6;
        }
        int steadyRuns = EmbedStats.steadyRunCount(runs);
        long steadyAlloc = 0;
        for (int i = runs - steadyRuns; i < runs; i++) {
            steadyAlloc += allocBytes[i];
        }
        return new Measurement(engine, loadMs, runMs, allocBytes[0], steadyAlloc / steadyRuns, peakRssKb(),
            model.tokens(text), embedding);
    }

    /** VmHWM from /proc/self/status in kB; -1 where it cannot be read. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String value = line.substring("VmHWM:".length()).trim();
                    return Long.parseLong(value.endsWith(" kB") ? value.substring(0, value.length() - 3).trim() : value);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
