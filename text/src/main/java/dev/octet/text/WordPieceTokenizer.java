package dev.octet.text;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A BERT WordPiece tokenizer read from a HuggingFace {@code tokenizer.json}, reproducing the Rust
 * {@code tokenizers} library's ids: added (special) tokens matched in the raw text, BertNormalizer,
 * BertPreTokenizer, the WordPiece model, and the TemplateProcessing / BertProcessing post-processor.
 *
 * <p>The file's own {@code truncation} and {@code padding} sections are runtime settings, not part of the
 * model: sequences are truncated to {@code maxLength} ids including the special tokens (512 by default, BERT's
 * position limit) and batches are padded to their longest sequence. The file's truncation length is available
 * as {@link #configuredMaxLength()} for callers that want to follow it (as LangChain4j does).
 *
 * <p>Every id a tokenizer produces is checked to be non-negative when the file is read.
 */
public final class WordPieceTokenizer {
    /** BERT's position-embedding limit, special tokens included. */
    public static final int DEFAULT_MAX_LENGTH = 512;

    /** Token ids and attention mask of a padded batch, row-major {@code [batch, seq]}. */
    public record Batch(int batch, int seq, long[] inputIds, long[] attentionMask, long[] tokenTypeIds) {}

    /**
     * One text's ids with the special tokens, their token type ids, and how many ids the text needs untruncated
     * (special tokens included).
     */
    public record Encoding(int[] ids, int[] typeIds, int untruncatedLength) {
        public boolean truncated() {
            return untruncatedLength > ids.length;
        }
    }

    private record AddedToken(String content, int id) {}

    /** One element of the post-processor's single-sequence template: special ids, or the sequence itself. */
    private record Piece(int[] specialIds, int typeId) {
        boolean isSequence() {
            return specialIds == null;
        }
    }

    private final boolean cleanText;
    private final boolean handleChineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;
    private final Map<String, Integer> vocab;
    private final int unkId;
    private final String subwordPrefix;
    private final int maxInputCharsPerWord;
    private final List<AddedToken> addedTokens;
    private final List<Piece> template;
    private final int specialTokenCount;
    private final int padId;
    private final int maxLength;
    private final int configuredMaxLength;
    private final int maxTokenId;

    private WordPieceTokenizer(Json root, String source, int maxLength) {
        Json normalizer = root.path("normalizer");
        require(normalizer.path("type").text("").equals("BertNormalizer"), source, "normalizer must be BertNormalizer, got " + normalizer.path("type"));
        cleanText = normalizer.path("clean_text").bool(true);
        handleChineseChars = normalizer.path("handle_chinese_chars").bool(true);
        lowercase = normalizer.path("lowercase").bool(true);
        // HuggingFace: strip_accents null means "follow lowercase".
        stripAccents = normalizer.path("strip_accents").bool(lowercase);

        Json pre = root.path("pre_tokenizer");
        require(pre.path("type").text("").equals("BertPreTokenizer"), source, "pre_tokenizer must be BertPreTokenizer, got " + pre.path("type"));

        Json model = root.path("model");
        require(model.path("type").text("").equals("WordPiece"), source, "model must be WordPiece, got " + model.path("type"));
        vocab = model.path("vocab").integerMembers();
        require(!vocab.isEmpty(), source, "the WordPiece vocab is empty");
        String unk = model.path("unk_token").text("[UNK]");
        require(vocab.containsKey(unk), source, "unk_token " + unk + " is not in the vocab");
        unkId = vocab.get(unk);
        subwordPrefix = model.path("continuing_subword_prefix").text("##");
        maxInputCharsPerWord = model.path("max_input_chars_per_word").integer(100);

        addedTokens = new ArrayList<>();
        for (Json t : root.path("added_tokens").elements()) {
            // Only the plain form BERT files use: matched verbatim in the raw text.
            require(!t.path("normalized").bool(false) && !t.path("single_word").bool(false)
                    && !t.path("lstrip").bool(false) && !t.path("rstrip").bool(false),
                source, "added token " + t.path("content") + ": normalized/single_word/lstrip/rstrip are not supported");
            Json content = t.path("content");
            require(!content.isMissing(), source, content.where() + " is missing");
            addedTokens.add(new AddedToken(content.text(""), t.path("id").integer()));
        }

        template = readTemplate(root.path("post_processor"), source);
        specialTokenCount = template.stream().filter(p -> !p.isSequence()).mapToInt(p -> p.specialIds().length).sum();
        require(maxLength > specialTokenCount, source, "max length " + maxLength + " leaves no room after the special tokens");
        this.maxLength = maxLength;

        Json padding = root.path("padding");
        padId = padding.has("pad_id") ? padding.path("pad_id").integer(0) : vocab.getOrDefault("[PAD]", 0);
        configuredMaxLength = root.path("truncation").path("max_length").integer(0);

        // Negative ids would index the embedding table from its end; no id the tokenizer can produce may be one.
        int min = padId;
        int max = padId;
        for (int id : vocab.values()) {
            min = Math.min(min, id);
            max = Math.max(max, id);
        }
        for (AddedToken t : addedTokens) {
            min = Math.min(min, t.id());
            max = Math.max(max, t.id());
        }
        for (Piece p : template) {
            if (!p.isSequence()) {
                for (int id : p.specialIds()) {
                    min = Math.min(min, id);
                    max = Math.max(max, id);
                }
            }
        }
        require(min >= 0, source, "token id " + min + " is negative");
        maxTokenId = max;
    }

    public static WordPieceTokenizer fromFile(Path tokenizerJson) {
        return fromFile(tokenizerJson, DEFAULT_MAX_LENGTH);
    }

    /** Reads a tokenizer.json from any file system (a path inside a jar included). */
    public static WordPieceTokenizer fromFile(Path tokenizerJson, int maxLength) {
        byte[] json;
        try {
            json = Files.readAllBytes(tokenizerJson);
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot read tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
        return fromJson(json, tokenizerJson.toString(), maxLength);
    }

    /** A tokenizer.json held in memory; {@code source} names it in error messages. */
    public static WordPieceTokenizer fromJson(byte[] tokenizerJson, String source, int maxLength) {
        Json root = Json.parse(tokenizerJson, source);
        if (!root.isObject()) {
            throw new OctetException(ErrorCode.INVALID_MODEL, source + " is not a tokenizer.json object");
        }
        return new WordPieceTokenizer(root, source, maxLength);
    }

    private static List<Piece> readTemplate(Json pp, String source) {
        String type = pp.path("type").text("");
        List<Piece> pieces = new ArrayList<>();
        switch (type) {
            case "TemplateProcessing" -> {
                for (Json p : pp.path("single").elements()) {
                    if (p.has("Sequence")) {
                        pieces.add(new Piece(null, p.path("Sequence").path("type_id").integer(0)));
                    } else {
                        Json s = p.path("SpecialToken");
                        Json ids = pp.path("special_tokens").path(s.path("id").text("")).path("ids");
                        require(ids.isArray(), source, "template special token " + s.path("id") + " has no ids");
                        pieces.add(new Piece(ids.elements().stream().mapToInt(Json::integer).toArray(),
                            s.path("type_id").integer(0)));
                    }
                }
            }
            // BertProcessing: {"cls": ["[CLS]", 101], "sep": ["[SEP]", 102]}
            case "BertProcessing" -> {
                pieces.add(new Piece(new int[] {pp.path("cls").path(1).integer()}, 0));
                pieces.add(new Piece(null, 0));
                pieces.add(new Piece(new int[] {pp.path("sep").path(1).integer()}, 0));
            }
            default -> throw new OctetException(ErrorCode.INVALID_MODEL,
                source + ": post_processor must be TemplateProcessing or BertProcessing, got " + pp.path("type"));
        }
        require(pieces.stream().filter(Piece::isSequence).count() == 1, source, "the single-sequence template needs exactly one Sequence");
        return pieces;
    }

    private static void require(boolean ok, String source, String message) {
        if (!ok) {
            throw new OctetException(ErrorCode.INVALID_MODEL, source + ": " + message);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** The file's own {@code truncation.max_length}, or empty when it does not truncate. */
    public OptionalInt configuredMaxLength() {
        return configuredMaxLength > 0 ? OptionalInt.of(configuredMaxLength) : OptionalInt.empty();
    }

    /** How many special tokens ([CLS], [SEP]) every encoded text carries. */
    public int specialTokenCount() {
        return specialTokenCount;
    }

    /** The largest id this tokenizer can produce (vocabulary, added and special tokens, padding). */
    public int maxTokenId() {
        return maxTokenId;
    }

    /** The ids of one text with the special tokens, truncated to {@link #maxLength()}. */
    public int[] encode(String text) {
        return encode(text, maxLength).ids();
    }

    /** One text with the special tokens, truncated to {@code maxLength} ids, reporting whether it was. */
    public Encoding encode(String text, int maxLength) {
        if (maxLength <= specialTokenCount) {
            throw new IllegalArgumentException("max length " + maxLength + " leaves no room after the "
                + specialTokenCount + " special tokens");
        }
        List<Integer> ids = tokenIds(text);
        int keep = Math.min(ids.size(), maxLength - specialTokenCount);
        int[] out = new int[keep + specialTokenCount];
        int n = 0;
        for (Piece p : template) {
            if (p.isSequence()) {
                for (int i = 0; i < keep; i++) {
                    out[n++] = ids.get(i);
                }
            } else {
                for (int id : p.specialIds()) {
                    out[n++] = id;
                }
            }
        }
        return new Encoding(out, typeIds(out), ids.size() + specialTokenCount);
    }

    /** The token type id of each position of {@link #encode}'s result. */
    public int[] typeIds(int[] encoded) {
        int[] out = new int[encoded.length];
        int keep = encoded.length - specialTokenCount;
        int n = 0;
        for (Piece p : template) {
            int count = p.isSequence() ? keep : p.specialIds().length;
            for (int i = 0; i < count; i++) {
                out[n++] = p.typeId();
            }
        }
        return out;
    }

    /** Encodes the texts and pads them to the longest (pad id, attention mask 0, type id 0). */
    public Batch encodeBatch(List<String> texts) {
        return pad(texts.stream().map(t -> encode(t, maxLength)).toList());
    }

    /** Pads encoded texts to the longest (pad id, attention mask 0, type id 0). */
    public Batch pad(List<Encoding> encodings) {
        List<int[]> encoded = encodings.stream().map(Encoding::ids).toList();
        int seq = encoded.stream().mapToInt(e -> e.length).max().orElse(0);
        int batch = encoded.size();
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        long[] types = new long[batch * seq];
        java.util.Arrays.fill(ids, padId);
        for (int b = 0; b < batch; b++) {
            int[] e = encoded.get(b);
            int[] t = encodings.get(b).typeIds();
            for (int i = 0; i < e.length; i++) {
                ids[b * seq + i] = e[i];
                mask[b * seq + i] = 1;
                types[b * seq + i] = t[i];
            }
        }
        return new Batch(batch, seq, ids, mask, types);
    }

    /** Word-piece ids of a text, without special tokens and untruncated. */
    List<Integer> tokenIds(String text) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        // Added tokens are found in the raw text first (leftmost, longest); the text between them goes through
        // the normalizer, the pre-tokenizer and the model.
        while (start <= text.length()) {
            int matchAt = text.length();
            AddedToken match = null;
            for (int i = start; i < text.length() && match == null; i++) {
                for (AddedToken t : addedTokens) {
                    if (text.startsWith(t.content(), i) && (match == null || t.content().length() > match.content().length())) {
                        match = t;
                        matchAt = i;
                    }
                }
            }
            for (String word : preTokenize(normalize(text.substring(start, matchAt)))) {
                wordPiece(word, ids);
            }
            if (match == null) {
                break;
            }
            ids.add(match.id());
            start = matchAt + match.content().length();
        }
        return ids;
    }

    String normalize(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (cleanText) {
                if (c == 0 || c == 0xFFFD || isControl(c)) {
                    continue;
                }
                if (isWhitespace(c)) {
                    c = ' ';
                }
            }
            if (handleChineseChars && isChineseChar(c)) {
                sb.append(' ').appendCodePoint(c).append(' ');
            } else {
                sb.appendCodePoint(c);
            }
        }
        String out = sb.toString();
        if (stripAccents) {
            String nfd = Normalizer.normalize(out, Normalizer.Form.NFD);
            sb.setLength(0);
            nfd.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(sb::appendCodePoint);
            out = sb.toString();
        }
        if (lowercase) {
            out = lowercasePerCodePoint(out);
        }
        return out;
    }

    /** Rust's {@code char::to_lowercase} one character at a time: no context rules such as the final sigma. */
    private static String lowercasePerCodePoint(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c < 0x80) {
                sb.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
            } else {
                sb.append(new String(Character.toChars(c)).toLowerCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }

    /** BertPreTokenizer: split on whitespace (dropped), then isolate every punctuation character. */
    static List<String> preTokenize(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (isWhitespace(c)) {
                flush(word, words);
            } else if (isPunctuation(c)) {
                flush(word, words);
                words.add(new String(Character.toChars(c)));
            } else {
                word.appendCodePoint(c);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** Greedy longest-match-first WordPiece; a word with any unmatchable rest becomes one unk token. */
    private void wordPiece(String word, List<Integer> out) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer id = null;
            while (start < end) {
                String sub = word.substring(start, end);
                id = vocab.get(start > 0 ? subwordPrefix + sub : sub);
                if (id != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (id == null) {
                out.subList(mark, out.size()).clear();
                out.add(unkId);
                return;
            }
            out.add(id);
            start = end;
        }
    }

    /** Rust's {@code char::is_whitespace} (the Unicode White_Space property). */
    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
            || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /**
     * The tokenizers library's "other" test, which (through the unicode_categories crate) covers Cc, Cf and Co but
     * not unassigned code points; tab, newline and carriage return count as whitespace instead. Categories come
     * from the JDK's Unicode tables, so a character assigned after that crate's Unicode version can differ.
     */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE;
    }

    /** ASCII punctuation (which includes symbols such as $ + < = > ^ ` |) or a Unicode P* character. */
    static boolean isPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK ideograph ranges of the tokenizers library (including its 0x2B920 start of Extension E). */
    static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
            || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
            || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
