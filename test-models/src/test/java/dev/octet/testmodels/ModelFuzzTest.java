package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The seeded model fuzzer ({@link ModelFuzzer}) over the shared models: every case must end in success or a
 * typed error within the per-case bound. Escapes Octet has today are listed, one line per escape key, in
 * {@value #LIST}; an unlisted escape fails the run, and on the default seed and case count a listed escape that
 * no longer occurs fails it too (delete its line), so the list can only shrink. HANG lines are exempt from that
 * check: whether a slow case ends within the bound depends on the machine. Surefire runs this test in its own
 * execution with a small heap (see the module's pom), so an allocation a mutant provokes cannot starve other tests.
 *
 * <p>Properties: {@code octet.fuzz.cases} (default {@value #DEFAULT_CASES}), {@code octet.fuzz.seed},
 * {@code octet.fuzz.case} (run one case and keep its folder, to reproduce an escape),
 * {@code octet.fuzz.boundSeconds} (per case), {@code octet.fuzz.threads} (cases at once; default the cores), and {@code octet.conformance.writeExpected=true} to rewrite the list.
 * The summary goes to stdout and {@code target/model-fuzz-summary.txt}.
 */
@Tag("fuzz")
class ModelFuzzTest {
    static final String LIST = "model-fuzz-known-escapes.tsv";
    static final int DEFAULT_CASES = 20_000;
    static final long DEFAULT_SEED = 20_261_205L;

    @Test
    void mutatedModelsEndInSuccessOrTypedError() throws IOException {
        int cases = Integer.getInteger("octet.fuzz.cases", DEFAULT_CASES);
        long seed = Long.getLong("octet.fuzz.seed", DEFAULT_SEED);
        Integer single = Integer.getInteger("octet.fuzz.case");
        Duration bound = Duration.ofSeconds(Long.getLong("octet.fuzz.boundSeconds", 10));
        Path root = Files.createTempDirectory("octet-fuzz");
        ModelFuzzer fuzzer = new ModelFuzzer(ModelFuzzer.sharedSeeds(), root, bound);

        int first = single != null ? single : 0;
        int end = single != null ? single + 1 : cases;
        int threads = Integer.getInteger("octet.fuzz.threads", Runtime.getRuntime().availableProcessors());
        ModelFuzzer.CaseResult[] results = new ModelFuzzer.CaseResult[end - first];
        AtomicInteger next = new AtomicInteger(first);
        long start = System.nanoTime();
        try (ExecutorService drivers = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(drivers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < end; i = next.getAndIncrement()) {
                        results[i - first] = fuzzer.run(seed, i, single != null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("the fuzzer failed", e);
        }
        Map<ModelFuzzer.Verdict, Integer> verdicts = new EnumMap<>(ModelFuzzer.Verdict.class);
        SortedMap<String, List<ModelFuzzer.CaseResult>> escapes = new TreeMap<>();
        for (ModelFuzzer.CaseResult c : results) {
            verdicts.merge(c.verdict(), 1, Integer::sum);
            if (c.escapeKey() != null) {
                escapes.computeIfAbsent(c.escapeKey(), k -> new ArrayList<>()).add(c);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (single == null) {
            ModelFuzzer.deleteTree(root);
        } else {
            System.out.println("model-fuzz: case " + single + " kept in " + root);
        }

        List<String> summary = new ArrayList<>();
        summary.add(String.format("model-fuzz: %d cases (seed %d) on %d threads in %.1f s, %.0f cases/s: %s; "
            + "%d escape kinds; %d threads left stuck", end - first, seed, threads, seconds, (end - first) / seconds,
            verdicts, escapes.size(), fuzzer.abandonedThreads()));
        escapes.forEach((key, list) -> {
            ModelFuzzer.CaseResult c = list.get(0);
            summary.add("  " + key + ": " + list.size() + " cases, first " + describe(c, root));
        });
        summary.forEach(System.out::println);
        Path file = Path.of(System.getProperty("basedir", ".")).resolve("target/model-fuzz-summary.txt");
        Files.createDirectories(file.getParent());
        Files.write(file, summary, StandardCharsets.UTF_8);

        KnownFailureList known = KnownFailureList.load(LIST);
        boolean defaultRun = single == null && cases == DEFAULT_CASES && seed == DEFAULT_SEED;
        if (KnownFailureList.regenerating() && defaultRun) {
            SortedMap<String, String> lines = new TreeMap<>();
            escapes.forEach((key, list) -> lines.put(key, describe(list.get(0), root)));
            known.write(List.of(
                "Escapes of ModelFuzzTest today (seed " + DEFAULT_SEED + ", " + DEFAULT_CASES
                    + " cases): escape key<TAB>first case, mutation, what was thrown.",
                "Reproduce one: -Dtest=ModelFuzzTest -Doctet.fuzz.case=N (keeps the mutant's folder).",
                "Fixed escapes fail the test until their line is deleted; regenerate: -D"
                    + KnownFailureList.REGENERATE + "=true"), lines);
            return;
        }
        List<String> problems = new ArrayList<>();
        escapes.forEach((key, list) -> {
            if (known.reason(key) == null) {
                problems.add("new escape " + key + " (" + list.size() + " cases), first " + describe(list.get(0), root));
            }
        });
        if (defaultRun) {
            Set<String> fixed = new TreeSet<>(known.entries().keySet());
            fixed.removeAll(escapes.keySet());
            fixed.removeIf(key -> key.startsWith("HANG")); // whether a slow case passes the bound depends on the machine
            fixed.forEach(key -> problems.add("escape no longer occurs, delete its line: " + key));
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems) + "\n" + known.howToUpdate());
        }
    }

    private static String describe(ModelFuzzer.CaseResult c, Path root) {
        return KnownFailureList.oneLine(("case " + c.index() + " " + c.mutant().kind() + " of " + c.seedModel()
            + " (" + c.mutant().description() + "): " + c.detail()).replace(root.toString(), "<tmp>"));
    }
}
