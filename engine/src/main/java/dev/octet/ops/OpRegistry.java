package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.ir.Node;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every operator Octet implements, keyed by domain and op type, with the opset versions each supports.
 * Lookups that fail raise {@link ErrorCode#UNSUPPORTED_OP} or {@link ErrorCode#UNSUPPORTED_OPSET} naming the node.
 */
public final class OpRegistry {
    public static final String ONNX_DOMAIN = "";
    public static final String MICROSOFT_DOMAIN = "com.microsoft";
    /** Octet's own fused operators, created by compiler passes; models cannot name this domain. */
    public static final String OCTET_DOMAIN = "dev.octet";
    /** Highest ai.onnx opset whose semantics Octet implements. */
    public static final int MAX_ONNX_OPSET = 25;
    /** Lowest ai.onnx opset accepted (older models predate the semantics the ops implement). */
    public static final int MIN_ONNX_OPSET = 7;
    public static final int MAX_MICROSOFT_OPSET = 1;

    private record Entry(int sinceVersion, OpFactory factory) {}

    private static final OpRegistry DEFAULT = createDefault();

    private final Map<String, Entry> entries;

    private OpRegistry(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
    }

    public static OpRegistry defaults() {
        return DEFAULT;
    }

    private static OpRegistry createDefault() {
        Builder b = new Builder();
        ElementwiseOps.register(b);
        ReduceOps.register(b);
        ShapeOps.register(b);
        NnOps.register(b);
        QuantOps.register(b);
        MatMulIntegerToFloatOp.register(b);
        TransformerOps.register(b);
        return new OpRegistry(b.entries);
    }

    /** Collects registrations; one per (domain, op type). */
    public static final class Builder {
        private final Map<String, Entry> entries = new HashMap<>();

        /** Registers an ai.onnx operator supported from opset {@code since} up to {@link #MAX_ONNX_OPSET}. */
        public void onnx(String opType, int since, OpFactory factory) {
            add(ONNX_DOMAIN, opType, since, factory);
        }

        public void microsoft(String opType, OpFactory factory) {
            add(MICROSOFT_DOMAIN, opType, 1, factory);
        }

        public void octet(String opType, OpFactory factory) {
            add(OCTET_DOMAIN, opType, 1, factory);
        }

        private void add(String domain, String opType, int since, OpFactory factory) {
            if (entries.put(key(domain, opType), new Entry(since, factory)) != null) {
                throw new IllegalStateException("registered twice: " + domain + ":" + opType);
            }
        }
    }

    private static String key(String domain, String opType) {
        return normalizeDomain(domain) + ":" + opType;
    }

    /** "ai.onnx" and "" both name the default domain. */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? ONNX_DOMAIN : domain;
    }

    public boolean supports(String domain, String opType) {
        return entries.containsKey(key(domain, opType));
    }

    /** The op types supported in a domain, sorted, for documentation and error messages. */
    public TreeSet<String> opTypes(String domain) {
        TreeSet<String> r = new TreeSet<>();
        String prefix = normalizeDomain(domain) + ":";
        for (String k : entries.keySet()) {
            if (k.startsWith(prefix)) {
                r.add(k.substring(prefix.length()));
            }
        }
        return r;
    }

    /** Checks that a domain's imported opset version is one Octet implements. */
    public static void checkOpset(String domain, int version) {
        String d = normalizeDomain(domain);
        if (d.equals(ONNX_DOMAIN)) {
            if (version < MIN_ONNX_OPSET || version > MAX_ONNX_OPSET) {
                throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, "ai.onnx opset " + version
                    + " is not supported (Octet implements opsets " + MIN_ONNX_OPSET + " to " + MAX_ONNX_OPSET + ")");
            }
        } else if (d.equals(OCTET_DOMAIN)) {
            throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, "the model imports Octet's internal domain "
                + OCTET_DOMAIN + ", which models may not use");
        } else if (d.equals(MICROSOFT_DOMAIN)) {
            if (version < 1 || version > MAX_MICROSOFT_OPSET) {
                throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, "com.microsoft opset " + version
                    + " is not supported (Octet implements version 1)");
            }
        }
    }

    /** Builds the op for a node; the opset is the version imported for the node's domain. */
    public Op create(Node node, int opset, dev.octet.api.Tensor[] constantInputs) {
        return create(node, opset, constantInputs, OpEnvironment.serial());
    }

    public Op create(Node node, int opset, dev.octet.api.Tensor[] constantInputs, OpEnvironment env) {
        String domain = normalizeDomain(node.domain());
        Entry e = entries.get(key(domain, node.opType()));
        if (e == null) {
            String d = domain.isEmpty() ? "ai.onnx" : domain;
            throw new OctetException(ErrorCode.UNSUPPORTED_OP, node.describe() + ": operator " + d + ":"
                + node.opType() + " is not supported by Octet");
        }
        if (opset < e.sinceVersion) {
            String d = domain.isEmpty() ? "ai.onnx" : domain;
            throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, node.describe() + ": " + d + ":" + node.opType()
                + " at opset " + opset + " is not supported (Octet implements it from opset " + e.sinceVersion + ")");
        }
        return e.factory.create(new OpContext(node, opset, constantInputs, env));
    }
}
