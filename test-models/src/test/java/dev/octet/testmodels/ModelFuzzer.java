package dev.octet.testmodels;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.proto.Onnx.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Feeds seeded mutants of the shared models ({@link ModelMutator}) through load, compile and a run on generated
 * inputs, each case on its own thread with a time bound. A case passes when it ends in success or an
 * {@link OctetException} other than {@link ErrorCode#INTERNAL} (Octet's own bugs); anything else is an escape, named by a key that groups escapes with one cause: the
 * throwable's class (or HANG / an accepted hostile model) and the first Octet frame outside the kernels.
 * Case {@code i} of seed {@code s} is the same mutant on every run, so (s, i) reproduces an escape. Cases are
 * independent: {@link #run} may be called from several threads at once.
 */
final class ModelFuzzer {
    enum Verdict { RAN, REFUSED, INPUTS_NOT_GENERATED, ESCAPE }

    record CaseResult(int index, String seedModel, ModelMutator.Mutant mutant, Verdict verdict, String escapeKey,
                      String detail) {}

    /** Inputs larger than this are not generated (the harness, not the engine, would run out of memory). */
    private static final long MAX_GENERATED_ELEMENTS = 1 << 20;

    private static final long[] EXTREME_INTEGERS = {-1, -30_522, 46_000, 65_535, 1 << 20, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};

    private final List<ModelMutator.Seed> seeds;
    private final Path root;
    private final ModelMutator mutator;
    private final Duration bound;
    private final AtomicInteger abandonedThreads = new AtomicInteger();

    ModelFuzzer(List<ModelMutator.Seed> seeds, Path root, Duration bound) throws IOException {
        this.seeds = seeds;
        this.root = root;
        this.mutator = new ModelMutator(root);
        this.bound = bound;
    }

    /** Threads still stuck in a case past the bound (Java cannot stop them). */
    int abandonedThreads() {
        return abandonedThreads.get();
    }

    /**
     * The shared models: every onnx-node and onnx-node-full model (so every operator Octet runs gets mutated), the ORT
     * quantized test models and MobileNetV2-QDQ.
     */
    static List<ModelMutator.Seed> sharedSeeds() throws IOException {
        List<Path> models = new ArrayList<>();
        for (Path suite : List.of(TestData.onnxNodeTests(), TestData.onnxNodeFullTests())) {
            try (Stream<Path> s = Files.list(suite)) {
                s.map(d -> d.resolve("model.onnx")).filter(Files::isRegularFile).sorted().forEach(models::add);
            }
        }
        try (Stream<Path> s = Files.list(TestData.ortQuantModels())) {
            s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
        }
        models.add(TestData.mobileNetV2Qdq().resolve("model.onnx"));
        List<ModelMutator.Seed> seeds = new ArrayList<>();
        for (Path p : models) {
            byte[] bytes = Files.readAllBytes(p);
            String stem = p.getFileName().toString().replaceFirst("\\.onnx$", "");
            List<Path> sideFiles = new ArrayList<>();
            try (Stream<Path> s = Files.list(p.getParent())) {
                s.filter(f -> f.getFileName().toString().startsWith(stem) && f.toString().endsWith(".bin"))
                    .sorted().forEach(sideFiles::add);
            }
            String name = p.getParent().getFileName() + "/" + p.getFileName();
            seeds.add(new ModelMutator.Seed(name, ModelProto.parseFrom(bytes), bytes, sideFiles));
        }
        return seeds;
    }

    CaseResult run(long seed, int index, boolean keepFiles) throws IOException {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        ModelMutator.Seed base = seeds.get(r.nextInt(seeds.size()));
        Path caseDir = root.resolve("case-" + index);
        ModelMutator.Mutant mutant = mutator.mutate(base, r, caseDir);
        long inputSeed = r.nextLong();
        boolean extremeIntegers = r.nextInt(8) == 0;
        FifoWatch fifoWatch = mutant.fifo() == null ? null : new FifoWatch(mutant.fifo());
        AtomicReference<String> phase = new AtomicReference<>("load");
        AtomicReference<CaseResult> result = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().daemon().name("fuzz-case-" + index).unstarted(
            () -> result.set(runCase(index, base.name(), mutant, inputSeed, extremeIntegers, phase)));
        worker.start();
        try {
            if (!worker.join(bound)) {
                StackTraceElement[] stack = worker.getStackTrace();
                worker.interrupt();
                worker.join(Duration.ofSeconds(1));
                if (worker.isAlive()) {
                    abandonedThreads.incrementAndGet();
                }
                String where = phase.get().equals("load") ? "load at " + octetFrame(stack) : phase.get();
                result.set(new CaseResult(index, base.name(), mutant, Verdict.ESCAPE, "HANG in " + where,
                    (extremeIntegers ? "[extreme integer inputs] " : "") + "ran longer than " + bound + ", in "
                        + octetFrame(stack)));
            }
            if (fifoWatch != null && fifoWatch.openedByReader()) {
                result.set(new CaseResult(index, base.name(), mutant, Verdict.ESCAPE,
                    "ACCEPTED external data through a FIFO", "opened it for reading (blocks forever without a writer)"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (!keepFiles) {
            deleteTree(caseDir);
        }
        return result.get();
    }

    /**
     * A writer waiting on a FIFO the mutant names as external data. Reading a FIFO blocks until someone writes, so
     * an engine that opens one would hang forever; the watch opens the other end, so the case ends anyway, and
     * records that the engine opened it. Afterwards it releases itself by opening the reading end.
     */
    private static final class FifoWatch {
        private final Path fifo;
        private final Thread writer;
        private volatile boolean opened;

        FifoWatch(Path fifo) {
            this.fifo = fifo;
            this.writer = Thread.ofPlatform().daemon().name("fuzz-fifo-writer").start(() -> {
                try (OutputStream out = Files.newOutputStream(fifo)) {
                    opened = true;
                } catch (IOException ignored) {
                    // the FIFO was removed
                }
            });
        }

        boolean openedByReader() throws InterruptedException {
            writer.join(Duration.ofMillis(50)); // its open returned with the engine's, if the engine opened it
            boolean byEngine = opened;
            if (writer.isAlive()) {
                try (InputStream release = Files.newInputStream(fifo)) {
                    release.available();
                } catch (IOException ignored) {
                    // nothing to release
                }
                writer.join();
            }
            return byEngine;
        }
    }

    private CaseResult runCase(int index, String seedModel, ModelMutator.Mutant mutant, long inputSeed,
                               boolean extremeIntegers, AtomicReference<String> phase) {
        String inputs = extremeIntegers ? "[extreme integer inputs] " : "";
        try {
            Graph graph = OnnxImporter.load(mutant.modelFile());
            phase.set("compile");
            if (mutant.mustRefuse() != null) {
                return new CaseResult(index, seedModel, mutant, Verdict.ESCAPE,
                    "ACCEPTED external data through " + mutant.mustRefuse(), "the model loaded");
            }
            try (CompiledSession session = new CompiledSession(graph)) {
                phase.set("run");
                Map<String, Tensor> feed = generateInputs(graph, new SplittableRandom(inputSeed), extremeIntegers);
                if (feed == null) {
                    return new CaseResult(index, seedModel, mutant, Verdict.INPUTS_NOT_GENERATED, null, null);
                }
                session.run(feed);
            }
            return new CaseResult(index, seedModel, mutant, Verdict.RAN, null, null);
        } catch (OctetException e) {
            if (e.code() == ErrorCode.INTERNAL) {
                // Typed, but a bug in Octet: the key is where the wrapped exception came from.
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return new CaseResult(index, seedModel, mutant, Verdict.ESCAPE, "INTERNAL " + cause.getClass().getName()
                    + " at " + octetFrame(cause.getStackTrace()), inputs + e.getMessage() + " caused by " + cause);
            }
            return new CaseResult(index, seedModel, mutant, Verdict.REFUSED, null,
                inputs + e.code() + ": " + e.getMessage());
        } catch (Throwable t) {
            String kind = t instanceof OutOfMemoryError ? "OUT_OF_MEMORY" : "UNTYPED " + t.getClass().getName();
            return new CaseResult(index, seedModel, mutant, Verdict.ESCAPE, kind + " at " + octetFrame(t.getStackTrace()),
                inputs + t + (t.getCause() == null ? "" : " caused by " + t.getCause()));
        }
    }

    /**
     * Inputs of every runtime input's declared type and shape (symbols as 1): floats in [-2, 2), integers in
     * [-1, 2] (or, with {@code extremeIntegers}, sizes and limits, as shapes, indices and counts a hostile caller
     * passes), random bytes and booleans; null when an input has no usable type or shape or is too large.
     */
    static Map<String, Tensor> generateInputs(Graph graph, SplittableRandom r, boolean extremeIntegers) {
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (ValueInfo v : graph.runtimeInputs()) {
            if (v.type() == null || v.shape() == null) {
                return null;
            }
            int[] shape = new int[v.shape().size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                Dim d = v.shape().get(i);
                long size = d.isFixed() ? d.value() : 1;
                if (size < 0 || size > MAX_GENERATED_ELEMENTS) {
                    return null;
                }
                shape[i] = (int) size;
                n *= size;
                if (n > MAX_GENERATED_ELEMENTS) {
                    return null;
                }
            }
            Object data = Tensor.newArray(v.type(), (int) n);
            for (int i = 0; i < n; i++) {
                fill(v.type(), data, i, r, extremeIntegers);
            }
            feed.put(v.name(), Tensor.of(v.type(), shape, data));
        }
        return feed;
    }

    private static void fill(DataType type, Object data, int i, SplittableRandom r, boolean extremeIntegers) {
        long integer = extremeIntegers ? EXTREME_INTEGERS[r.nextInt(EXTREME_INTEGERS.length)] : r.nextInt(-1, 3);
        switch (type) {
            case FLOAT -> ((float[]) data)[i] = (float) (r.nextDouble() * 4 - 2);
            case UINT8, INT8 -> ((byte[]) data)[i] = (byte) r.nextInt(256);
            case INT32 -> ((int[]) data)[i] = (int) integer;
            case INT64 -> ((long[]) data)[i] = integer;
            case BOOL -> ((boolean[]) data)[i] = r.nextBoolean();
        }
    }

    /** The first Octet frame outside the kernels (they are the loops an operator calls), without line number. */
    static String octetFrame(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (c.startsWith("dev.octet.") && !c.startsWith("dev.octet.kernel") && !c.startsWith("dev.octet.testmodels")) {
                return c + "." + e.getMethodName();
            }
        }
        return stack.length == 0 ? "?" : stack[0].getClassName() + "." + stack[0].getMethodName();
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
