package dev.octet.testmodels;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates third-party test material. The shared folder sits beside the repository ({@code ../shared}); the
 * build passes its path as the system property {@code octet.shared.dir}.
 */
public final class TestData {
    private TestData() {}

    public static Path sharedDir() {
        String prop = System.getProperty("octet.shared.dir");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p.resolve("testdata"))) {
            throw new IllegalStateException("shared test data not found at " + p.toAbsolutePath()
                + " (set -Doctet.shared.dir or place the shared folder beside the repository)");
        }
        return p.normalize();
    }

    /** The ONNX backend node tests. */
    public static Path onnxNodeTests() {
        return sharedDir().resolve("testdata/onnx-node");
    }

    /** All 1,376 ONNX backend node tests of the supported tensor types (a superset of {@link #onnxNodeTests}). */
    public static Path onnxNodeFullTests() {
        return sharedDir().resolve("testdata/onnx-node-full");
    }

    /** The static-QDQ MobileNetV2-class model with ORT's output. */
    public static Path mobileNetV2Qdq() {
        return sharedDir().resolve("testdata/real/mobilenetv2-qdq");
    }

    public static Path ortQuantModels() {
        return sharedDir().resolve("testdata/ort-quant");
    }
}
