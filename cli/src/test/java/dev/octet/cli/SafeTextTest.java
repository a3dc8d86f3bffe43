package dev.octet.cli;

import static dev.octet.cli.Cli.octet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.cli.Cli.Outcome;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model text with terminal escape sequences is printed escaped, never raw. */
class SafeTextTest {
    @TempDir
    Path tmp;

    private static final String RED = "\u001b[31m";
    private static final String TITLE = "\u001b]0;owned\u0007";

    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertEquals("a\\x1b[31mb", SafeText.clean("a" + RED + "b"));
        assertEquals("\\x00\\x7f\\x9b\\n\\t\\r\\u202e", SafeText.clean("\0\u007f\u009b\n\t\r\u202e"));
        assertEquals("plain café 名前 ✓", SafeText.clean("plain café 名前 ✓"));
        String same = "unchanged";
        assertTrue(same == SafeText.clean(same), "no copy when nothing needs escaping");
        assertEquals("two lines, \\x1b", SafeText.oneLine("two lines,\n  \u001b\n"));
    }

    /** No character below U+0020 other than line breaks, no DEL, no C1 control. */
    private static void assertPrintable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            assertTrue(c == '\n' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f)),
                "raw control character U+" + Integer.toHexString(c) + " at " + i + " in:\n" + text);
        }
    }

    @Test
    void inspectRunAndProfileEscapeNamesFromTheModel() throws Exception {
        String x = "x" + RED;
        String y = "y" + TITLE;
        Path model = new OnnxModelBuilder(17)
            .input(x, DataType.FLOAT, "n" + RED, 3)
            .output(y, DataType.FLOAT, "n" + RED, 3)
            .node("Relu", List.of(x), List.of(y))
            .write(tmp.resolve("hostile.onnx"));
        for (Outcome o : List.of(octet("inspect", model.toString()), octet("run", model.toString()),
                octet("profile", model.toString(), "--warmup", "0", "--max-warmup", "0", "--iters", "1"),
                octet("bench", model.toString(), "--warmup", "0", "--iters", "1", "--max-warmup", "0"))) {
            assertEquals(0, o.status(), o.err());
            assertPrintable(o.out());
            assertTrue(o.out().contains("x\\x1b[31m"), o.out());
        }
        assertTrue(octet("inspect", model.toString()).out().contains("y\\x1b]0;owned\\x07"));
    }

    @Test
    void errorsEscapeTheOperatorTheyName() throws Exception {
        Path model = new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, 2)
            .output("y", DataType.FLOAT, 2)
            .node("Frob" + TITLE, List.of("x"), List.of("y"))
            .write(tmp.resolve("unknown.onnx"));
        Outcome o = octet("run", model.toString());
        assertEquals(Main.FAILED, o.status());
        assertPrintable(o.err());
        assertTrue(o.err().contains("Frob\\x1b]0;owned\\x07"), o.err());
    }
}
