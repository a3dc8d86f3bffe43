package dev.octet.testmodels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A checked-in list of known failures under {@code src/test/resources}: one line per key, a tab, its reason;
 * lines starting with '#' are comments. Tests treat a listed key that now succeeds as a failure, so the list
 * can only shrink; {@link #write} regenerates it, sorted, when {@link #REGENERATE} is set.
 */
final class KnownFailureList {
    /** {@code -Doctet.conformance.writeExpected=true} rewrites the lists from the current results. */
    static final String REGENERATE = "octet.conformance.writeExpected";

    private final String resource;
    private final SortedMap<String, String> reasons;

    private KnownFailureList(String resource, SortedMap<String, String> reasons) {
        this.resource = resource;
        this.reasons = reasons;
    }

    static boolean regenerating() {
        return Boolean.getBoolean(REGENERATE);
    }

    /** Reads the list from the test classpath; a missing resource is an empty list. */
    static KnownFailureList load(String resource) {
        SortedMap<String, String> reasons = new TreeMap<>();
        try (InputStream in = KnownFailureList.class.getResourceAsStream("/" + resource)) {
            if (in != null) {
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                int lineNo = 0;
                for (String line; (line = r.readLine()) != null; ) {
                    lineNo++;
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    if (tab <= 0 || tab == line.length() - 1) {
                        throw new IllegalStateException(resource + ":" + lineNo + ": expected 'key<TAB>reason': " + line);
                    }
                    if (reasons.put(line.substring(0, tab), line.substring(tab + 1)) != null) {
                        throw new IllegalStateException(resource + ":" + lineNo + ": duplicate key " + line.substring(0, tab));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KnownFailureList(resource, reasons);
    }

    String reason(String key) {
        return reasons.get(key);
    }

    SortedMap<String, String> entries() {
        return reasons;
    }

    /** Where the list lives in the source tree (surefire runs in the module's folder). */
    Path sourcePath() {
        return Path.of(System.getProperty("basedir", ".")).resolve("src/test/resources").resolve(resource);
    }

    /** The advice every "list is out of date" failure ends with. */
    String howToUpdate() {
        return "update " + sourcePath() + " (or regenerate it: -D" + REGENERATE + "=true)";
    }

    /** Rewrites the list in the source tree: the header lines as comments, then the entries sorted by key. */
    void write(List<String> header, Map<String, String> current) {
        List<String> lines = new ArrayList<>();
        header.forEach(h -> lines.add("# " + h));
        new TreeMap<>(current).forEach((k, v) -> lines.add(k + "\t" + oneLine(v)));
        try {
            Files.write(sourcePath(), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A reason fit for one TSV cell: no tabs or line breaks, at most 200 characters. */
    static String oneLine(String s) {
        String flat = s.replaceAll("[\\t\\r\\n\\x00-\\x1f]+", " ").strip();
        return flat.length() <= 200 ? flat : flat.substring(0, 200);
    }
}
