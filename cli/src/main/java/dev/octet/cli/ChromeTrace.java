package dev.octet.cli;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * Writes the Trace Event Format that chrome://tracing and Perfetto load: {@code {"traceEvents":[...]}} with
 * complete events ({@code "ph":"X"}, {@code ts} and {@code dur} in microseconds). Written by hand to keep
 * the CLI free of a JSON library; strings are escaped so any node name stays valid JSON.
 */
final class ChromeTrace implements AutoCloseable {
    private final Writer out;
    private boolean first = true;

    ChromeTrace(Writer out) throws IOException {
        this.out = out;
        out.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
    }

    /** Names the process and thread rows (metadata events, {@code "ph":"M"}). */
    void names(String process, String thread) throws IOException {
        begin();
        out.write("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":" + quote(process) + "}}");
        begin();
        out.write("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":" + quote(thread) + "}}");
    }

    /** One complete event of {@code durNanos} starting {@code tsNanos} after the trace's origin. */
    void complete(String name, String category, long tsNanos, long durNanos, int run, int step) throws IOException {
        begin();
        out.write("{\"name\":" + quote(name) + ",\"cat\":" + quote(category) + ",\"ph\":\"X\",\"ts\":" + micros(tsNanos)
            + ",\"dur\":" + micros(durNanos) + ",\"pid\":1,\"tid\":1,\"args\":{\"run\":" + run + ",\"step\":" + step + "}}");
    }

    private void begin() throws IOException {
        if (!first) {
            out.write(",\n");
        }
        first = false;
    }

    @Override
    public void close() throws IOException {
        out.write("\n]}\n");
        out.close();
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e3);
    }

    /**
     * A JSON string literal: quote, backslash and control characters escaped, and everything outside printable
     * ASCII written as {@code \}{@code uXXXX} so the file is plain ASCII whatever the names hold.
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
