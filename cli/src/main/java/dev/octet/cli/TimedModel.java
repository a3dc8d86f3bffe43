package dev.octet.cli;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A model loaded for timing ({@code profile}, {@code bench}): its session and one set of inputs generated as
 * {@code run} generates them, reused for every run so that only the model's work is measured.
 */
final class TimedModel implements AutoCloseable {
    /** A short name for reports: {@code minilm}, else the file name without {@code .onnx} (the folder's for {@code model.onnx}). */
    final String name;
    final CompiledSession session;
    final Map<String, Tensor> feed;

    private TimedModel(String name, CompiledSession session, Map<String, Tensor> feed) {
        this.name = name;
        this.session = session;
        this.feed = feed;
    }

    static TimedModel open(String model, List<String> dims, Integer threads, long seed) {
        Path path = BundledModels.resolve(model);
        Graph g = OnnxImporter.load(path);
        Map<String, Integer> symbolSizes = GeneratedInputs.parseDims(dims, g);
        SessionOptions.Builder b = SessionOptions.builder();
        if (threads != null) {
            b.threads(threads);
        }
        Map<String, Tensor> feed = GeneratedInputs.generate(g, symbolSizes, seed);
        return new TimedModel(displayName(model, path), new CompiledSession(g, b.build()), feed);
    }

    static String displayName(String model, Path path) {
        if (model.equalsIgnoreCase(BundledModels.MINILM)) {
            return BundledModels.MINILM;
        }
        Path file = path.getFileName();
        String n = file == null ? model : file.toString();
        if (n.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            n = n.substring(0, n.length() - ".onnx".length());
        }
        Path parent = path.toAbsolutePath().normalize().getParent();
        if (n.equals("model") && parent != null && parent.getFileName() != null) {
            n = parent.getFileName().toString();
        }
        return n.isEmpty() ? "model" : SafeText.clean(n.replaceAll("\\s", "_")); // one token in the key=value summary lines
    }

    int threads() {
        return session.options().threads();
    }

    /** The generated inputs as {@code name=TYPE[d0,d1,...]}, space-separated. */
    String inputShapes() {
        StringJoiner j = new StringJoiner(" ");
        feed.forEach((n, t) -> j.add(SafeText.clean(n) + "=" + t.toString().replace(" ", "")));
        return j.length() == 0 ? "(none)" : j.toString();
    }

    /** Rejects a numeric option below {@code min} with the option's name, before anything is loaded. */
    static void checkAtLeast(String option, Integer value, int min) {
        if (value != null && value < min) {
            throw new OctetException(ErrorCode.INVALID_INPUT,
                option + " takes a count of at least " + min + ", got " + value);
        }
    }

    @Override
    public void close() {
        session.close();
    }

    // ---- statistics over run times (nanoseconds)

    /** The q-quantile (0..1) of the values, interpolated linearly between order statistics; q = 0.5 is the median. */
    static double quantile(long[] values, double q) {
        long[] s = values.clone();
        java.util.Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    static long min(long[] values) {
        return java.util.Arrays.stream(values).min().orElseThrow();
    }

    static double mean(long[] values) {
        return java.util.Arrays.stream(values).average().orElseThrow();
    }

    /** Nanoseconds as milliseconds with three decimals, locale-independent. */
    static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
