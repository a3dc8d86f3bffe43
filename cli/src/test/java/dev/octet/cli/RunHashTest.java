package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.onnx.OnnxModelBuilder;
import dev.octet.onnx.TensorProtos;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code output-sha256} line of {@code octet run}: SHA-256 over every output in order, each as its dims
 * (int32 little-endian) followed by its elements' little-endian bytes. Cross-platform checks
 * (scripts/test-arm) compare these hashes, so the format is pinned here.
 */
class RunHashTest {
    @TempDir
    Path tmp;

    private Path addModel() throws Exception {
        return Cli.addModel(tmp);
    }

    private Path pb(String name, float... values) throws Exception {
        Path p = tmp.resolve(name + "-" + System.nanoTime() + ".pb");
        TensorProtos.write(Tensor.ofFloats(values, 1, values.length), name, p);
        return p;
    }

    /** Runs octet and returns the hex of its output-sha256 line. */
    private static String runHash(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = text.lines().filter(l -> l.startsWith("output-sha256: ")).toList();
        assertEquals(1, lines.size(), "exactly one output-sha256 line in:\n" + text);
        String hex = lines.get(0).substring("output-sha256: ".length());
        assertEquals(64, hex.length(), hex);
        return hex;
    }

    @Test
    void sameModelAndInputsGiveTheSameHash() throws Exception {
        String model = addModel().toString();
        Path x = pb("x", 1, 2, 3);
        Path y = pb("y", 0.5f, 0.25f, -4);
        String first = runHash("run", model, "--input", "x=" + x, "--input", "y=" + y);
        String second = runHash("run", model, "--input", "x=" + x, "--input", "y=" + y);
        assertEquals(first, second);
        // Generated inputs are deterministic too, and the provider does not change an exact Add.
        assertEquals(runHash("run", model, "--seed", "7", "--provider", "scalar"),
            runHash("run", model, "--seed", "7", "--provider", "scalar", "--threads", "2"));
    }

    @Test
    void differentInputGivesADifferentHash() throws Exception {
        String model = addModel().toString();
        Path x = pb("x", 1, 2, 3);
        String a = runHash("run", model, "--input", "x=" + x, "--input", "y=" + pb("y", 0.5f, 0.25f, -4));
        String b = runHash("run", model, "--input", "x=" + x, "--input", "y=" + pb("y", 0.5f, 0.25f, -5));
        assertNotEquals(a, b);
        assertNotEquals(runHash("run", model, "--seed", "1"), runHash("run", model, "--seed", "2"));
    }

    @Test
    void hashOfAKnownTinyOutputMatchesAnIndependentComputation() throws Exception {
        // z = x + y = [1.5, 2.25, -1] with shape [1, 3]: exact in float32.
        String hex = runHash("run", addModel().toString(), "--input", "x=" + pb("x", 1, 2, 3),
            "--input", "y=" + pb("y", 0.5f, 0.25f, -4));

        // The bytes laid out by hand: dims 1, 3 as int32 LE, then the three floats' IEEE bits LE.
        byte[] bytes = concat(int32le(1), int32le(3),
            int32le(Float.floatToRawIntBits(1.5f)), int32le(Float.floatToRawIntBits(2.25f)),
            int32le(Float.floatToRawIntBits(-1f)));
        assertEquals(sha256(bytes), hex);
        // And as computed outside Java: hashlib.sha256(struct.pack('<2i', 1, 3) + struct.pack('<3f', 1.5, 2.25, -1.0))
        assertEquals("b44e230cc1c2a4734eddb266fea3b71ec56c52e1fcb6bba95b254cc8dd3e8a69", hex);
    }

    @Test
    void everyElementTypeHashesAsLittleEndianBytesInOutputOrder() {
        List<Tensor> outputs = List.of(
            Tensor.ofUint8(new byte[] {0, (byte) 255, 7}, 3),
            Tensor.ofLongs(new long[] {-2, 1L << 40}, 2, 1),
            Tensor.ofBools(new boolean[] {true, false}, 2),
            Tensor.ofInts(new int[] {-1, 70000}, 1, 2),
            Tensor.ofFloats(new float[] {Float.intBitsToFloat(0x7fc00001)})); // rank 0; a NaN keeps its payload
        // Computed with Python's struct (little-endian '<') and hashlib over the same layout.
        assertEquals("948d3c35025569aae825886f0b8c5a341dfbc030700c2411c159aa6625153060", RunCommand.outputSha256(outputs));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", RunCommand.outputSha256(List.of()));
    }

    private static byte[] int32le(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
