package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;

/** Reading scale and zero-point tensors of the integer operators. */
final class QParams {
    private QParams() {}

    /** Zero points as ints: per-tensor (length 1) or a 1-D vector of the expected length; absent means 0. */
    static int[] zeroPoints(Tensor zp, int expected, String what) {
        if (zp == null) {
            return new int[] {0};
        }
        if (zp.size() != 1 && zp.size() != expected) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " zero point has " + zp.size()
                + " values, expected 1 or " + expected);
        }
        int[] r = new int[zp.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (int) zp.getLong(i);
        }
        return r;
    }

    /**
     * An operator's zero-point input read once at load when it is a constant (a per-channel vector is N ints, which
     * every call would otherwise copy out again). The array is shared: callers read it, never write it.
     */
    record ConstantZeroPoints(Tensor tensor, int[] values) {
        static ConstantZeroPoints of(OpContext ctx, int input) {
            Tensor zp = ctx.constantInput(input);
            return new ConstantZeroPoints(zp, zp == null ? null : zeroPoints(zp, zp.size(), "constant"));
        }

        /** {@link #zeroPoints} of the run's zero point {@code zp}: the values read at load when it is the constant. */
        int[] forColumns(Tensor zp, int expected, String what) {
            if (zp != null && zp == tensor && (values.length == 1 || values.length == expected)) {
                return values;
            }
            return zeroPoints(zp, expected, what);
        }
    }

    static float[] scales(Tensor s, int expected, String what) {
        if (s.size() != 1 && s.size() != expected) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " scale has " + s.size()
                + " values, expected 1 or " + expected);
        }
        return s.floats();
    }

    /** A per-tensor zero point (absent means 0). */
    static int scalarZeroPoint(Tensor zp, String what) {
        if (zp == null) {
            return 0;
        }
        if (zp.size() != 1) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " zero point must be a scalar, got " + zp);
        }
        return (int) zp.getLong(0);
    }

    /** {@code t} when it is float, else UNSUPPORTED_TYPE naming the op and the input. */
    static Tensor requireFloat(Tensor t, String op, String what) {
        if (t.type() != DataType.FLOAT) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, op + " " + what + " must be float, got " + t.type());
        }
        return t;
    }

    /** A float bias of one value or n, as n values (epilogues index it per column or channel). */
    static float[] expandedBias(Tensor bias, int n, String op) {
        if (bias.size() == n) {
            return bias.floats();
        }
        if (bias.size() == 1) {
            float[] r = new float[n];
            java.util.Arrays.fill(r, bias.floats()[0]);
            return r;
        }
        throw new OctetException(ErrorCode.INVALID_SHAPE, op + " bias has " + bias.size() + " values, expected 1 or "
            + n);
    }

    static float scalarScale(Tensor s, String what) {
        if (s.size() != 1) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " scale must be a scalar, got " + s);
        }
        return s.floats()[0];
    }
}
