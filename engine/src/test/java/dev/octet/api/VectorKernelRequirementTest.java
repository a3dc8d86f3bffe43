package dev.octet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Without jdk.incubator.vector a session falls back to the scalar kernels with one WARNING naming the flag, or
 * fails with {@link ErrorCode#UNSUPPORTED_RUNTIME} when vector kernels are required. The module is missing only in
 * a JVM started without {@code --add-modules}, so those cases run {@link #main} in a forked JVM.
 */
class VectorKernelRequirementTest {
    private static Graph add() {
        List<Dim> shape = List.of(Dim.of(4));
        return new Graph("g", List.of(new ValueInfo("a", DataType.FLOAT, DataType.FLOAT.onnxCode(), shape),
                new ValueInfo("b", DataType.FLOAT, DataType.FLOAT.onnxCode(), shape)),
            List.of(new ValueInfo("c", DataType.FLOAT, DataType.FLOAT.onnxCode(), shape)), Map.of(),
            List.of(new Node("add", "Add", "", List.of("a", "b"), List.of("c"), Map.of())), Map.of("", 17), Map.of());
    }

    /** Opens two sessions (options from system properties) and prints their kernels and a result, or the error. */
    public static void main(String[] args) {
        for (int i = 0; i < 2; i++) {
            try (CompiledSession s = new CompiledSession(add(), SessionOptions.builder().build())) {
                Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4);
                float[] c = s.run(Map.of("a", x, "b", x)).get("c").floats();
                System.out.println("session " + i + ": " + s.kernelDescription() + " " + java.util.Arrays.toString(c));
            } catch (OctetException e) {
                System.out.println("error " + e.code() + ": " + e.getMessage());
                return;
            }
        }
    }

    private record Outcome(int status, String out, String err) {}

    private static Outcome forkWithoutVectorModule(String... properties) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Doctet.warmup=false"));
        cmd.addAll(List.of(properties));
        cmd.add(VectorKernelRequirementTest.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        // Small outputs: reading them after the exit cannot block the child.
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the forked JVM did not finish");
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
            new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void withoutTheModuleSessionsRunScalarKernelsAfterOneWarningNamingTheFlag() throws Exception {
        Outcome o = forkWithoutVectorModule();
        assertEquals(0, o.status(), o.err());
        assertEquals("session 0: scalar [2.0, 4.0, 6.0, 8.0]\nsession 1: scalar [2.0, 4.0, 6.0, 8.0]\n", o.out(), o.err());
        assertEquals(1, count(o.err(), "WARNING: Octet runs its scalar kernels"), o.err());
        assertTrue(o.err().contains("start java with --add-modules jdk.incubator.vector"), o.err());
        assertTrue(o.err().contains("identical but about 20x slower"), o.err());
    }

    @Test
    void withoutTheModuleRequiringVectorKernelsIsATypedErrorNamingTheFlag() throws Exception {
        Outcome o = forkWithoutVectorModule("-Doctet.requireVectorKernels=true");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().startsWith("error UNSUPPORTED_RUNTIME: vector kernels are required"), o.out());
        assertTrue(o.out().contains("--add-modules jdk.incubator.vector"), o.out());
        assertEquals(0, count(o.err(), "WARNING: Octet runs its scalar kernels"), o.err());
    }

    @Test
    void withTheModuleRequiringVectorKernelsGetsThem() {
        // This JVM runs with --add-modules jdk.incubator.vector (the build's test flags) on a CPU with wide vectors.
        try (CompiledSession s = new CompiledSession(add(), SessionOptions.builder().provider("auto")
                .requireVectorKernels(true).build())) {
            assertTrue(s.kernelDescription().startsWith("vector"), s.kernelDescription());
        }
    }

    @Test
    void requiringVectorKernelsContradictsTheScalarProvider() {
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(add(),
            SessionOptions.builder().provider("scalar").requireVectorKernels(true).build()));
        assertEquals(ErrorCode.UNSUPPORTED_RUNTIME, e.code());
        assertTrue(e.getMessage().contains("requested"), e.getMessage());
    }
}
