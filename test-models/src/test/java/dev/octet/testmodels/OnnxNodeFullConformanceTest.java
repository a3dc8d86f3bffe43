package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.octet.api.ErrorCode;
import dev.octet.onnx.conformance.OnnxTestRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * All 1,376 ONNX backend node tests of ../shared/testdata/onnx-node-full, one dynamic test per directory, against
 * the checked-in list of expected failures ({@value #LIST}: each test Octet refuses today, with its error code and
 * message). A listed test that passes fails the run, so the list can only shrink; an unlisted test that does not
 * pass fails it; a wrong answer or an untyped exception is never accepted. An expected failure is reported as
 * skipped. {@code -Doctet.conformance.writeExpected=true} rewrites the list from this run's refusals; the summary
 * (per error code and per operator under test) goes to stdout and {@code target/onnx-node-full-summary.txt}.
 */
class OnnxNodeFullConformanceTest {
    static final String LIST = "onnx-node-full-expected-failures.tsv";
    /** A hang guard, far above any test's run time (the whole suite takes well under a minute). */
    private static final Duration PER_TEST_BOUND = Duration.ofSeconds(60);
    private static final Pattern UNSUPPORTED_OPERATOR = Pattern.compile("operator (\\S+) is not supported");
    private static final Pattern NODE_OP = Pattern.compile("\\(op ([^)\\s]+)\\)");

    private enum Outcome { PASS, REFUSED, WRONG_ANSWER, UNTYPED_ERROR }

    /** What one test directory did; for a refusal, {@code reason} is "CODE message". */
    private record Observed(Outcome outcome, ErrorCode code, String reason) {}

    private static final Map<String, Observed> RESULTS = new ConcurrentHashMap<>();
    private static List<String> allTests = List.of();
    private static Map<String, String> operatorUnderTest = Map.of();

    @TestFactory
    Stream<DynamicTest> onnxNodeFullTests() throws IOException {
        Path root = TestData.onnxNodeFullTests();
        operatorUnderTest = operatorsUnderTest(root.resolve("MANIFEST.tsv"));
        List<Path> dirs = OnnxTestRunner.discover(List.of(root));
        allTests = dirs.stream().map(d -> d.getFileName().toString()).toList();
        assertEquals(new TreeSet<>(operatorUnderTest.keySet()), new TreeSet<>(allTests),
            "the test directories are the ones MANIFEST.tsv lists");
        assertEquals(1376, dirs.size(), "the full suite holds 1376 tests");

        KnownFailureList expected = KnownFailureList.load(LIST);
        Set<String> stale = new TreeSet<>(expected.entries().keySet());
        stale.removeAll(allTests);
        if (!stale.isEmpty()) {
            fail(LIST + " names tests that do not exist: " + stale + "; " + expected.howToUpdate());
        }
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            String name = dir.getFileName().toString();
            Observed observed = observe(Assertions.assertTimeoutPreemptively(PER_TEST_BOUND,
                () -> OnnxTestRunner.run(dir), () -> name + " ran longer than " + PER_TEST_BOUND + " (a hang)"));
            RESULTS.put(name, observed);
            judge(name, observed, expected);
        }));
    }

    private static void judge(String name, Observed observed, KnownFailureList expected) {
        String listed = expected.reason(name);
        switch (observed.outcome()) {
            case WRONG_ANSWER -> fail("WRONG ANSWER (worse than a refusal; never accepted on " + LIST + "): "
                + observed.reason());
            case UNTYPED_ERROR -> fail("untyped error (every refusal must be an OctetException; never accepted on "
                + LIST + "): " + observed.reason());
            case PASS -> {
                if (listed != null && !KnownFailureList.regenerating()) {
                    fail(name + " passes now: delete its line from " + LIST + " (listed as: " + listed + "); "
                        + expected.howToUpdate());
                }
            }
            case REFUSED -> {
                if (KnownFailureList.regenerating()) {
                    Assumptions.abort("refused (written to " + LIST + "): " + observed.reason());
                }
                if (listed == null) {
                    fail(name + " is refused and not on " + LIST + ": " + observed.reason() + "; "
                        + expected.howToUpdate());
                }
                String listedCode = listed.split(" ", 2)[0];
                if (!listedCode.equals(observed.code().name())) {
                    fail(name + " is listed as " + listedCode + " but now fails with " + observed.reason() + "; "
                        + expected.howToUpdate());
                }
                Assumptions.abort("expected failure: " + listed);
            }
        }
    }

    /** Classifies the runner's result: a typed error's detail is "CODE: message", anything else is untyped. */
    private static Observed observe(OnnxTestRunner.Result r) {
        return switch (r.status()) {
            case PASS -> new Observed(Outcome.PASS, null, null);
            case FAIL -> new Observed(Outcome.WRONG_ANSWER, null, r.line());
            case ERROR -> {
                String detail = r.detail();
                int colon = detail.indexOf(": ");
                ErrorCode code = colon > 0 ? errorCode(detail.substring(0, colon)) : null;
                yield code == null
                    ? new Observed(Outcome.UNTYPED_ERROR, null, r.line())
                    : new Observed(Outcome.REFUSED, code,
                        KnownFailureList.oneLine(code + " " + detail.substring(colon + 2)));
            }
        };
    }

    private static ErrorCode errorCode(String s) {
        return Arrays.stream(ErrorCode.values()).filter(c -> c.name().equals(s)).findFirst().orElse(null);
    }

    @AfterAll
    static void summarizeAndRegenerate() throws IOException {
        if (RESULTS.size() != allTests.size() || allTests.isEmpty()) {
            return; // a filtered run: no summary, and never a partial list
        }
        List<String> summary = summary();
        summary.stream().limit(4).forEach(System.out::println);
        Path file = Path.of(System.getProperty("basedir", ".")).resolve("target/onnx-node-full-summary.txt");
        Files.createDirectories(file.getParent());
        Files.write(file, summary, StandardCharsets.UTF_8);
        System.out.println("onnx-node-full: per error code and per operator under test in " + file);
        if (KnownFailureList.regenerating()) {
            KnownFailureList list = KnownFailureList.load(LIST);
            SortedMap<String, String> refused = new TreeMap<>();
            RESULTS.forEach((name, o) -> {
                if (o.outcome() == Outcome.REFUSED) {
                    refused.put(name, o.reason());
                }
            });
            list.write(List.of(
                "Tests of ../shared/testdata/onnx-node-full that Octet refuses today: test<TAB>error code and message.",
                "OnnxNodeFullConformanceTest fails if a listed test passes (delete its line) or an unlisted one does",
                "not; only typed refusals may be listed, never a wrong answer. The error code must match; the message",
                "is for the reader. Regenerate: scripts/test -pl test-models -am -D" + KnownFailureList.REGENERATE
                    + "=true"), refused);
            System.out.println("onnx-node-full: wrote " + refused.size() + " expected failures to " + list.sourcePath());
        }
    }

    /** Headline first, then counts per error code, per unsupported operator and per operator under test. */
    private static List<String> summary() {
        Map<Outcome, Long> byOutcome = count(RESULTS.values().stream(), Observed::outcome);
        List<Observed> refused = RESULTS.values().stream().filter(o -> o.outcome() == Outcome.REFUSED).toList();
        Map<String, Long> byCode = count(refused.stream(), o -> o.code().name());
        Map<String, Long> byUnsupportedOp = count(
            refused.stream().filter(o -> o.code() == ErrorCode.UNSUPPORTED_OP), o -> unsupportedOperator(o.reason()));
        List<String> lines = new ArrayList<>();
        lines.add("onnx-node-full: " + byOutcome.getOrDefault(Outcome.PASS, 0L) + " passed, "
            + refused.size() + " refused (typed error), "
            + byOutcome.getOrDefault(Outcome.WRONG_ANSWER, 0L) + " wrong answers, "
            + byOutcome.getOrDefault(Outcome.UNTYPED_ERROR, 0L) + " untyped errors, of " + RESULTS.size());
        lines.add("onnx-node-full refusals by error code: " + format(byCode));
        lines.add("onnx-node-full UNSUPPORTED_OP tests by operator (" + byUnsupportedOp.size() + " operators): "
            + format(byUnsupportedOp));
        lines.add("onnx-node-full operators under test: " + operatorUnderTest.values().stream().distinct().count()
            + ", fully passing: " + passingOperators() + " (table in the summary file)");
        lines.add("");
        lines.add("operator under test\ttests\tpassed\trefused\tother");
        Map<String, List<String>> testsByOperator = new TreeMap<>();
        operatorUnderTest.forEach((test, op) -> testsByOperator.computeIfAbsent(op, k -> new ArrayList<>()).add(test));
        testsByOperator.forEach((op, tests) -> {
            long passed = tests.stream().filter(t -> RESULTS.get(t).outcome() == Outcome.PASS).count();
            long refusedHere = tests.stream().filter(t -> RESULTS.get(t).outcome() == Outcome.REFUSED).count();
            lines.add(op + "\t" + tests.size() + "\t" + passed + "\t" + refusedHere + "\t"
                + (tests.size() - passed - refusedHere));
        });
        return lines;
    }

    private static long passingOperators() {
        Map<String, Boolean> allPass = new TreeMap<>();
        operatorUnderTest.forEach((test, op) ->
            allPass.merge(op, RESULTS.get(test).outcome() == Outcome.PASS, Boolean::logicalAnd));
        return allPass.values().stream().filter(b -> b).count();
    }

    private static String unsupportedOperator(String reason) {
        Matcher m = UNSUPPORTED_OPERATOR.matcher(reason);
        if (m.find()) {
            return m.group(1);
        }
        m = NODE_OP.matcher(reason);
        return m.find() ? m.group(1) : "?";
    }

    private static <T, K> Map<K, Long> count(Stream<T> items, Function<T, K> key) {
        return items.collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
    }

    /** "A 3, B 1": largest count first, then by name. */
    private static String format(Map<String, Long> counts) {
        return counts.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /**
     * The operator each test exercises: the single op type MANIFEST.tsv lists for it, or for an
     * {@code _expanded} test (the function's decomposition) the op type of the test it expands.
     */
    private static Map<String, String> operatorsUnderTest(Path manifest) throws IOException {
        Map<String, String> opTypes = new TreeMap<>();
        List<String> rows = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split("\t");
            opTypes.put(cells[0], cells[1]);
        }
        Map<String, String> under = new TreeMap<>();
        opTypes.forEach((test, ops) -> {
            String base = test.replaceFirst("_expanded.*$", "");
            String own = opTypes.getOrDefault(base, ops);
            under.put(test, own.contains(",") ? "(several: " + own + ")" : own);
        });
        return under;
    }
}
