package dev.octet.cli;

import static dev.octet.cli.Cli.octet;
import static dev.octet.cli.Cli.octetWithStdin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.cli.Cli.Outcome;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code embed --file}: every way reading it can fail is one typed line naming the path; {@code -} is stdin. */
class EmbedFileTest {
    @TempDir
    Path tmp;

    private static void assertOneLineError(Outcome o, String expected) {
        assertEquals(Main.FAILED, o.status(), o.err());
        assertEquals("octet: error: " + expected, o.err().strip());
        assertTrue(o.out().isEmpty(), o.out());
    }

    @Test
    void missingFile() {
        Path f = tmp.resolve("missing.txt");
        assertOneLineError(octet("embed", "--file", f.toString()), "--file " + f + ": no such file [IO]");
    }

    @Test
    void directory() {
        assertOneLineError(octet("embed", "--file", tmp.toString()), "--file " + tmp + ": is a directory, not a file [IO]");
    }

    @Test
    void invalidUtf8NamesTheOffset() throws Exception {
        Path f = Files.write(tmp.resolve("latin1.txt"), new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n'});
        assertOneLineError(octet("embed", "--file", f.toString()),
            "--file " + f + ": not valid UTF-8 (bad byte at offset 6) [INVALID_INPUT]");
        // A sequence cut off at the end of the file.
        Path cut = Files.write(tmp.resolve("cut.txt"), new byte[] {'a', (byte) 0xe2, (byte) 0x82});
        assertOneLineError(octet("embed", "--file", cut.toString()),
            "--file " + cut + ": not valid UTF-8 (bad byte at offset 1) [INVALID_INPUT]");
    }

    @Test
    void unboundedInputStopsAtTheLimit() {
        assumeTrue(Files.isReadable(Path.of("/dev/zero")));
        assertOneLineError(octet("embed", "--file", "/dev/zero"),
            "--file /dev/zero: more than 16 MiB of text; split it into smaller files [INVALID_INPUT]");
        byte[] big = new byte[EmbedCommand.MAX_FILE_BYTES + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        assertOneLineError(octetWithStdin(big, "embed", "--file", "-"),
            "--file - (stdin): more than 16 MiB of text; split it into smaller files [INVALID_INPUT]");
    }

    @Test
    void unreadableFile() throws Exception {
        Path f = Files.writeString(tmp.resolve("secret.txt"), "text\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(f), "running as root: permissions are not enforced");
        assertOneLineError(octet("embed", "--file", f.toString()), "--file " + f + ": permission denied [IO]");
    }

    @Test
    void pathWithANulByte() {
        assertOneLineError(octet("embed", "--file", "a\0b"),
            "--file a\\x00b: not a valid path (Nul character not allowed) [INVALID_INPUT]");
    }

    @Test
    void textsAreLinesWithoutEmptyOnesAndTheByteOrderMark() {
        byte[] utf8 = "\uFEFFfirst\r\n\nsecond é\rthird\n".getBytes(StandardCharsets.UTF_8);
        String text = EmbedCommand.readTexts("-", new ByteArrayInputStream(utf8));
        assertEquals(java.util.List.of("first", "", "second é", "third"), text.lines().toList());
    }

    @Test
    void dashReadsStdinAndEmbedsLikeArguments() {
        Outcome fromStdin = octetWithStdin("A man is eating food.\n\nA cat sleeps.\n".getBytes(StandardCharsets.UTF_8),
            "embed", "--json", "--file", "-");
        assertEquals(0, fromStdin.status(), fromStdin.err());
        Outcome fromArgs = octet("embed", "--json", "A man is eating food.", "A cat sleeps.");
        assertEquals(fromArgs.out(), fromStdin.out());
        assertTrue(fromStdin.out().startsWith("[{\"text\":\"A man is eating food.\",\"embedding\":["), fromStdin.out());
    }
}
