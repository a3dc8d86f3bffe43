package dev.octet.cli;

import static dev.octet.cli.Cli.octet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.octet.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;

/** The command line itself: --help on every command, --version, one line and a documented status per kind of failure. */
class CommandLineTest {
    static final List<String> COMMANDS = List.of("run", "inspect", "bench", "profile", "validate", "embed", "info", "version");

    @Test
    void helpOnEveryCommandPrintsThatCommandsUsageAndExitsZero() {
        for (String command : COMMANDS) {
            for (String flag : List.of("--help", "-h")) {
                Outcome o = octet(command, flag);
                assertEquals(0, o.status(), command + " " + flag + ": " + o.err());
                assertTrue(o.err().isEmpty(), o.err());
                assertTrue(o.out().contains("Usage: octet " + command + " [options]"), command + " " + flag + ":\n" + o.out());
                assertTrue(o.out().contains("--help, -h"), o.out());
                for (String other : COMMANDS) {
                    assertFalse(!other.equals(command) && o.out().contains("Usage: " + other), "only " + command + ":\n" + o.out());
                }
            }
        }
        // After other arguments too, instead of being read as a model path or a sentence.
        Outcome o = octet("run", "no-such-model.onnx", "--help");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("--output-dir"), o.out());
        o = octet("embed", "a sentence", "-h");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("--file"), o.out());
    }

    @Test
    void globalHelpListsTheCommandsAndExitStatuses() {
        Outcome o = octet("--help");
        assertEquals(0, o.status());
        for (String command : COMMANDS) {
            assertTrue(o.out().contains(command), command + " in\n" + o.out());
        }
        assertTrue(o.out().contains("Exit status:"), o.out());
        assertEquals(Main.USAGE, octet().status()); // no command at all
    }

    @Test
    void versionPrintsTheMavenProjectVersionAndTheJdk() throws Exception {
        // The reference: the version in the parent POM, which the build writes into the CLI's resources.
        String pom = Files.readString(Path.of("..", "pom.xml"));
        Matcher m = Pattern.compile("<artifactId>octet-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "parent POM version");
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"version"})) {
            Outcome o = octet(args);
            assertEquals(0, o.status(), o.err());
            List<String> lines = o.out().lines().toList();
            assertEquals("octet " + m.group(1), lines.get(0));
            assertTrue(lines.get(1).startsWith("java " + Runtime.version() + " ("), o.out());
        }
    }

    @Test
    void usageErrorsExitTwoAndPointToTheCommandsHelp() {
        Outcome o = octet("bench", "model.onnx", "--iters", "many");
        assertEquals(Main.USAGE, o.status());
        assertTrue(o.err().contains("--iters") && o.err().contains("'octet bench --help'"), o.err());
        // An unknown --option is not taken for a model path or a sentence.
        for (String command : List.of("inspect", "run", "bench", "profile", "validate", "embed")) {
            o = octet(command, "x", "--bogus");
            assertEquals(Main.USAGE, o.status(), command + ": " + o.err());
            assertEquals("octet: " + command + " has no option '--bogus'\nRun 'octet " + command + " --help' for usage.",
                o.err().strip(), command);
        }
        o = octet("frobnicate");
        assertEquals(Main.USAGE, o.status());
        assertTrue(o.err().contains("frobnicate"), o.err());
    }

    private static Outcome failure(Throwable t, boolean verbose) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.failure(t, verbose, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, "", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runHoldsTensorsToTheGivenLimit(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path model = Cli.addModel(dir);
        // z is batch x 3: 12 elements at batch 4.
        assertEquals(Main.OK, octet("run", model.toString(), "--dim", "batch=4", "--max-tensor-elements", "12").status());
        Outcome over = octet("run", model.toString(), "--dim", "batch=4", "--max-tensor-elements", "11");
        assertEquals(Main.OUT_OF_MEMORY, over.status(), over.err());
        assertEquals(1, over.err().strip().lines().count(), over.err());
        assertTrue(over.err().contains("12 elements") && over.err().contains("maxTensorElements")
            && over.err().contains("[RESOURCE_LIMIT]"), over.err());
        Outcome zero = octet("run", model.toString(), "--max-folded-elements", "0");
        assertTrue(zero.status() != Main.OK && zero.err().contains("--max-folded-elements takes a count of at least 1"),
            zero.err());
    }

    @Test
    void outOfMemoryIsOneLineWithItsOwnStatus() {
        Outcome o = failure(new OutOfMemoryError("Java heap space"), false);
        assertEquals(Main.OUT_OF_MEMORY, o.status());
        assertEquals("octet: error: out of memory (Java heap space); give the JVM more heap, e.g. OCTET_JAVA_OPTS=-Xmx8g"
            + " [OUT_OF_MEMORY]", o.err().strip());
        Outcome verbose = failure(new OutOfMemoryError("Java heap space"), true);
        assertTrue(verbose.err().lines().count() > 1 && verbose.err().contains("\tat "), verbose.err());
    }

    @Test
    void engineCodesForBugsAndHeapLimitsGetTheirOwnStatus() {
        Outcome internal = failure(new dev.octet.api.OctetException(dev.octet.api.ErrorCode.INTERNAL, "op 'x' failed"), false);
        assertEquals(Main.INTERNAL, internal.status());
        assertEquals("octet: error: op 'x' failed (a bug in Octet; --verbose prints the stack trace) [INTERNAL]",
            internal.err().strip());
        Outcome limit = failure(new dev.octet.api.OctetException(dev.octet.api.ErrorCode.RESOURCE_LIMIT, "too big"), false);
        assertEquals(Main.OUT_OF_MEMORY, limit.status());
        assertEquals("octet: error: too big [RESOURCE_LIMIT]", limit.err().strip());
        Outcome shape = failure(new dev.octet.api.OctetException(dev.octet.api.ErrorCode.INVALID_SHAPE, "bad"), false);
        assertEquals(Main.FAILED, shape.status());
    }

    @Test
    void unexpectedExceptionsAreOneLineInternalErrors() {
        Outcome o = failure(new IllegalStateException("two\nlines"), false);
        assertEquals(Main.INTERNAL, o.status());
        assertEquals("octet: error: internal error, a bug in Octet: java.lang.IllegalStateException: two lines"
            + " (--verbose prints the stack trace) [INTERNAL]", o.err().strip());
        assertEquals(Main.INTERNAL, failure(new StackOverflowError(), false).status());
        Outcome io = failure(new java.io.UncheckedIOException(new java.io.IOException("disk full")), false);
        assertEquals(Main.FAILED, io.status());
        assertEquals("octet: error: disk full [IO]", io.err().strip());
        Outcome noFile = failure(new java.nio.file.NoSuchFileException("/out/z.npy"), false);
        assertEquals("octet: error: /out/z.npy: no such file or directory [IO]", noFile.err().strip());
        Outcome other = failure(new java.nio.file.FileSystemException("/proc/x", null, "Read-only file system"), false);
        assertEquals("octet: error: /proc/x: Read-only file system [IO]", other.err().strip());
    }
}
