package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/octet hands the JVM's stderr to the caller untouched. It runs here against a stand-in {@code java}
 * (a shell script in a fake JAVA_HOME) in a copy of the scripts folder, so no JVM or build is involved.
 */
class LauncherScriptTest {
    @TempDir
    Path tmp;

    @Test
    void stderrReachesTheCallerByteForByteWithTheExitStatus() throws Exception {
        Path scripts = Files.createDirectories(tmp.resolve("repo/scripts"));
        for (String name : new String[] {"octet", "lib.sh"}) {
            Files.copy(Path.of("..", "scripts", name), scripts.resolve(name));
        }
        Path jar = Files.createDirectories(tmp.resolve("repo/cli/target")).resolve("octet-cli.jar");
        Files.write(jar, new byte[0]); // present and no sources newer than it: the script does not build
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        // Answers the version probe; otherwise writes a message with a NUL, a non-UTF-8 byte and an escape, and
        // a line like the incubator warning, to stderr, and exits 7.
        Files.writeString(java, """
            #!/usr/bin/env bash
            for a in "$@"; do
              if [ "$a" = "-XshowSettings:properties" ]; then echo "    java.specification.version = 25" >&2; exit 0; fi
            done
            printf 'WARNING: Using incubator modules: x\\noctet: error: a\\000b\\377c\\033[31m [IO]\\n' >&2
            echo out
            exit 7
            """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(scripts.resolve("octet"), PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder pb = new ProcessBuilder(scripts.resolve("octet").toString(), "info");
        pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        pb.redirectError(tmp.resolve("stderr").toFile()).redirectOutput(tmp.resolve("stdout").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finished");
        assertEquals(7, p.exitValue());
        assertEquals("out\n", Files.readString(tmp.resolve("stdout")));
        byte[] expected = "WARNING: Using incubator modules: x\noctet: error: a\0b\u00ffc\u001b[31m [IO]\n"
            .getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(expected, Files.readAllBytes(tmp.resolve("stderr")));
    }
}
