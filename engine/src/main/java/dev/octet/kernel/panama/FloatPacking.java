package dev.octet.kernel.panama;

import dev.octet.kernel.CpuInfo;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.PreparedA;
import dev.octet.kernel.QGemmKernel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The layout of the float-FMA int8 GEMMs. Canonical int8 values are stored as floats; a float FMA of two
 * such values into an integer-valued accumulator is exact while every partial sum stays within 2^24, and
 * |a*b| <= 2^14 for signed 8-bit values, so up to {@link #KC} = 1024 products may be summed in float before
 * the tile is converted to int32 and added to C. The result is the exact int32 sum (wrapping like int
 * arithmetic only beyond K = 2^17, as the contract allows).
 *
 * <p>B is stored in panels of {@code nr} columns, k-major: {@code floats[(panel * k + p) * nr + lane]},
 * zero-padded on the right (zero weights add nothing); 8-bit weights as {@code bytes} in the same order at 256 and
 * 512 bits (a quarter of the memory: MiniLM's packed weights take 22 MB instead of 88 MB), widened to floats a panel
 * at a time into a thread's scratch when several row tiles share it, else as each k step loads them. A is in row
 * tiles, see {@link #prepareA}.
 */
final class FloatPacking {
    /** Products summed in float before flushing to int32 (at most; a caller may ask for fewer). */
    static final int KC = QGemmKernel.INT8_FLUSH;

    private FloatPacking() {}

    /** 8-bit B in panels of nr columns: as bytes when {@code compact}, else as floats. */
    static PackedB packB(String id, int nr, boolean compact, byte[] b, int offset, int k, int n, boolean unsigned,
                         boolean transposed) {
        byte[] canonical = PackedB.canonical(b, offset, k, n, unsigned, transposed);
        int panels = (n + nr - 1) / nr;
        if (compact) {
            byte[] data = new byte[panels * k * nr];
            for (int panel = 0, j0 = 0; j0 < n; panel++, j0 += nr) {
                int width = Math.min(nr, n - j0);
                for (int p = 0; p < k; p++) {
                    System.arraycopy(canonical, p * n + j0, data, (panel * k + p) * nr, width);
                }
            }
            return PackedB.eightBit(id, k, n, null, null, data, canonical);
        }
        float[] data = new float[panels * k * nr];
        // Panel by panel, without a division per element: packing runs once per weight at load, mostly before
        // the JIT has compiled it, and MiniLM's 22 M weights made it two thirds of the session's construction.
        for (int panel = 0, j0 = 0; j0 < n; panel++, j0 += nr) {
            int width = Math.min(nr, n - j0);
            for (int p = 0; p < k; p++) {
                int src = p * n + j0;
                int dst = (panel * k + p) * nr;
                for (int jj = 0; jj < width; jj++) {
                    data[dst + jj] = canonical[src + jj];
                }
            }
        }
        return PackedB.eightBit(id, k, n, null, data, null, canonical);
    }

    /** Integer-valued B (K x N row-major ints) in the same panels, as floats (exact below 2^24). */
    static PackedB packWideB(String id, int nr, int[] b, int k, int n) {
        int panels = (n + nr - 1) / nr;
        float[] data = new float[panels * k * nr];
        int[] sums = new int[n];
        for (int panel = 0, j0 = 0; j0 < n; panel++, j0 += nr) {
            int width = Math.min(nr, n - j0);
            for (int p = 0; p < k; p++) {
                int src = p * n + j0;
                int dst = (panel * k + p) * nr;
                for (int jj = 0; jj < width; jj++) {
                    data[dst + jj] = b[src + jj];
                    sums[j0 + jj] += b[src + jj];
                }
            }
        }
        return new PackedB(id, k, n, null, data, null, sums, null);
    }

    /**
     * Rows [i0, i1) of float A (integer values) into the layout of {@link #prepareRows}, a group of G floats at a time
     * in vectors of the kernel's width ({@code bits}): at 512 bits one load and one store (four 128-bit ones made
     * this copy a tenth of a U-Net's time, its Winograd GEMMs' rows being 16 to 112 channels).
     */
    static void prepareFloatRows(int mr, int bits, int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
        int k = out.depth();
        requireFloats(out);
        float[] p = out.floats(preparedSize(mr, out.rows(), k));
        int groupStride = mr * G;
        int tileStride = groupedDepth(k) * mr;
        for (int tile = i0 / mr, i = i0; i < i1; tile++) {
            int end = Math.min(i1, (tile + 1) * mr);
            for (int dst = tile * tileStride + (i - tile * mr) * G; i < end; i++, dst += G) {
                int row = aOffset + i * lda;
                int q = 0;
                // The vector code stays in this method: a helper compiled apart can run boxed while it waits for C2.
                if (bits >= 512) {
                    for (int at = dst; q + G <= k; q += G, at += groupStride) {
                        FloatVector.fromArray(FloatVector.SPECIES_512, a, row + q).intoArray(p, at);
                    }
                } else if (bits == 256) {
                    for (int at = dst; q + G <= k; q += G, at += groupStride) {
                        FloatVector.fromArray(FloatVector.SPECIES_256, a, row + q).intoArray(p, at);
                        FloatVector.fromArray(FloatVector.SPECIES_256, a, row + q + 8).intoArray(p, at + 8);
                    }
                } else {
                    for (int at = dst; q + G <= k; q += G, at += groupStride) {
                        for (int part = 0; part < G; part += 4) {
                            FloatVector.fromArray(GROUP, a, row + q + part).intoArray(p, at + part);
                        }
                    }
                }
                int at = dst + q / G * groupStride;
                for (; q + 4 <= k; q += 4, at += 4) {
                    FloatVector.fromArray(GROUP, a, row + q).intoArray(p, at);
                }
                for (; q < k; q++, at++) {
                    p[at] = a[row + q];
                }
            }
        }
    }

    /** {@link #prepareFloatRows} in plain scalar code, for the warming gate's cold path. */
    static void prepareFloatRowsScalar(int mr, int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
        int k = out.depth();
        requireFloats(out);
        float[] p = out.floats(preparedSize(mr, out.rows(), k));
        int kg = groupedDepth(k);
        for (int i = i0; i < i1; i++) {
            int row = aOffset + i * lda;
            int dst = (i / mr) * kg * mr + (i % mr) * G;
            for (int q = 0; q < k; q++) {
                p[dst + (q / G) * mr * G + q % G] = a[row + q];
            }
        }
    }

    /** Paired A (resetPairedA) is for the vector kernel that asked for it; the scalar paths read floats. */
    private static void requireFloats(PreparedA a) {
        if (a.paired()) {
            throw new IllegalStateException("A prepared as pairs reached a path that reads floats");
        }
    }

    /** k steps per group in prepared A (a tile's rows are G floats apart): 16 bytes of a row, one vector's load. */
    static final int G = QGemmKernel.PREPARED_GROUP;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Float> GROUP = FloatVector.SPECIES_128;

    /**
     * Whether a float sum of B's k products with 8-bit A (|a| <= 128), started at any of the column terms [n0, n1),
     * stays an exact integer at every step: |term| + 128 * (the column's sum of |b|) <= 2^24, at most k * 2^14 for
     * 8-bit b. The bound from the actual weights lets deep layers (a 1280-deep classifier head) take one pass.
     */
    static boolean exactFrom(int[] colTerms, PackedB b, int n0, int n1) {
        int[] absSums = b.columnAbsSums();
        long worst = (long) b.k() * (1 << 14);
        for (int j = n0; j < n1; j++) {
            long products = absSums == null ? worst : Math.min(worst, 128L * absSums[j]);
            if (Math.abs((long) colTerms[j]) + products > 1L << 24) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the fused tiles may round before they clamp, on ints: every |sum| <= 2^24 (see {@link #exactFrom}) times
     * each scale of [n0, n1) stays within 2^22, where adding 1.5 * 2^23 rounds exactly; rounding is monotonic and the
     * clamp bounds are integers, so round(clamp(v)) = clamp(round(v)), and a finite scale never makes NaN. The float
     * compares and blends of a general clamp cost the small-K layers up to a tenth of their time; larger scales (and NaN, infinities) take
     * the int32 path.
     */
    static boolean roundsBeforeClamping(float[] scales, int n0, int n1) {
        for (int j = n0; j < n1; j++) {
            // 2^22 / 2^24, less room for the product's rounding.
            if (!(Math.abs(scales[j]) <= 0.2499f)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the {@code bits}-bit kernel's tiles over prepared A read 8-bit weights as bytes, widening each k step's
     * vectors as they load, rather than a panel widened to floats first. At 512 bits on Zen 5 the bytes ran
     * MobileNetV2-QDQ 3.3% faster at one thread (its 8 x 8 1 x 1 layers 9%, the 16 x 16 ones of K = 384-576 5-6%; the
     * shallow ones, the rows-outer products and the image tiles gained nothing there, so they keep widened panels) and
     * the quantized MiniLM 8% faster (its int32 products); on Zen 4 the widened panels had been 8-12% faster. Not
     * measured at 256 bits. Both give the same bits.
     */
    static boolean byteWeightTiles(int bits) {
        return bits == 512 && CpuInfo.isAmdZen5OrLater();
    }

    /** k rounded up to whole groups. */
    static int groupedDepth(int k) {
        return (k + G - 1) / G * G;
    }

    /** Floats {@link #prepareA} writes for m rows: whole row tiles of mr rows over whole groups. */
    static int preparedSize(int mr, int m, int k) {
        return (m + mr - 1) / mr * mr * groupedDepth(k);
    }

    /**
     * A as tiles of mr rows; inside a tile, groups of {@link #G} k steps; inside a group, row by row:
     * row i, column q at {@code (i / mr) * kg * mr + (q / G) * mr * G + (i % mr) * G + q % G}. The kernel's
     * mr broadcasts of G k steps then read the same mr cache lines at constant offsets (row-major A made them
     * mr strided streams and cost about a quarter of the speed), and packing moves G contiguous values at a
     * time (element-wise interleaving cost more than the conversion itself; groups of 4 took twice as long).
     */
    static void resetA(int mr, int m, int k, boolean rowSums, PreparedA out) {
        out.reset(m, k, rowSums);
        out.floats(preparedSize(mr, m, k));
    }

    /**
     * {@link #resetA} for a 512-bit kernel whose tiles read two neighbouring k steps of a row at once: the same
     * layout, its values stored as pairs in doubles (without row sums), written by {@link #prepareRows} as the floats
     * would be; a double read then needs no bounds check of its own (a read of a float array as a segment did).
     */
    static void resetPairedA(int mr, int m, int k, PreparedA out) {
        out.reset(m, k, false, true);
        out.pairs(preparedSize(mr, m, k) / 2);
    }

    /**
     * Rows [i0, i1) of A into the layout above; each row writes only its own floats. A group is 16 bytes of a row,
     * converted at the kernel's width ({@code bits}): at 512 bits one conversion and one store.
     */
    static void prepareRows(int mr, int bits, int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned,
                            PreparedA out) {
        int k = out.depth();
        // Paired A (resetPairedA, 512 bits only): the same vectors stored as doubles.
        double[] pd = out.paired() ? out.pairs(preparedSize(mr, out.rows(), k) / 2) : null;
        float[] p = pd == null ? out.floats(preparedSize(mr, out.rows(), k)) : null;
        if (pd != null && bits < 512) {
            throw new IllegalStateException("A prepared as pairs at " + bits + " bits");
        }
        int groups = (k + G - 1) / G;
        // At 512 bits, the whole tiles of eight rows whose every group's 16 bytes lie in the array go straight-line
        // (wholeTiles8): the general loop's per-tile and per-group set-up cost more than its conversions at small K
        // (prepareA of 14,884 x 16 30 -> 24 us, 14,884 x 32 56 -> 36, 3,721 x 144 58 -> 37, Zen 4).
        int first = 0;
        int end = 0;
        boolean contiguousGroup = bits >= 512 && k == G && lda == G;
        if (bits >= 512 && mr == 8 && lda > 0 && !contiguousGroup) {
            first = (i0 + 7) / 8;
            // The last row of tile t reaches aOffset + (8t + 7) * lda + groups * G.
            long fit = ((long) a.length - aOffset - (long) groups * G) / lda - 7;
            end = (int) Math.min(i1 / 8, fit < 0 ? 0 : fit / 8 + 1);
        }
        if (contiguousGroup) {
            // One group of rows stored back to back (a 16-channel 1 x 1 layer): the prepared floats are the rows in
            // order, one plain loop (14,884 x 16: 28 -> 12 us, Zen 5).
            contiguousGroup(i0, i1, a, aOffset, unsigned, p, pd);
        } else if (first >= end) {
            prepareRowsGeneral(mr, bits, i0, i1, a, aOffset, lda, unsigned, p, pd, k);
        } else {
            prepareRowsGeneral(mr, bits, i0, first * 8, a, aOffset, lda, unsigned, p, pd, k);
            wholeTiles8(first, end, a, aOffset, lda, unsigned, p, pd, groups);
            prepareRowsGeneral(mr, bits, end * 8, i1, a, aOffset, lda, unsigned, p, pd, k);
        }
        int[] sums = out.rowSums();
        if (sums != null) {
            byte flip = (byte) (unsigned ? 0x80 : 0);
            for (int i = i0; i < i1; i++) {
                int row = aOffset + i * lda;
                int sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += (byte) (a[row + j] ^ flip);
                }
                sums[i] = sum;
            }
        }
    }

    /** Rows [i0, i1) of a matrix of G bytes per row, stored back to back, as floats (or pairs, pd) at 512 bits. */
    private static void contiguousGroup(int i0, int i1, byte[] a, int aOffset, boolean unsigned, float[] p,
                                        double[] pd) {
        byte flip = (byte) (unsigned ? 0x80 : 0);
        VectorSpecies<Float> f = FloatVector.SPECIES_512;
        for (int i = i0 * G, end = i1 * G; i < end; i += G) {
            FloatVector v = (FloatVector) ByteVector.fromArray(BYTES, a, aOffset + i).lanewise(VectorOperators.XOR, flip)
                .convertShape(VectorOperators.B2F, f, 0);
            if (pd == null) {
                v.intoArray(p, i);
            } else {
                v.reinterpretAsDoubles().intoArray(pd, i / 2);
            }
        }
    }

    /**
     * Row tiles [t0, t1) of eight rows at 512 bits, each group's eight rows written out (as floats, or pairs to pd):
     * the caller checked the reach.
     */
    private static void wholeTiles8(int t0, int t1, byte[] a, int aOffset, int lda, boolean unsigned, float[] p,
                                    double[] pd, int groups) {
        byte flip = (byte) (unsigned ? 0x80 : 0);
        VectorSpecies<Float> f = FloatVector.SPECIES_512;
        for (int tile = t0; tile < t1; tile++) {
            int src = aOffset + tile * 8 * lda;
            int dst = tile * groups * 8 * G;
            for (int g = 0; g < groups; g++, src += G, dst += 8 * G) {
                FloatVector v0 = (FloatVector) ByteVector.fromArray(BYTES, a, src)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v1 = (FloatVector) ByteVector.fromArray(BYTES, a, src + lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v2 = (FloatVector) ByteVector.fromArray(BYTES, a, src + 2 * lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v3 = (FloatVector) ByteVector.fromArray(BYTES, a, src + 3 * lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v4 = (FloatVector) ByteVector.fromArray(BYTES, a, src + 4 * lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v5 = (FloatVector) ByteVector.fromArray(BYTES, a, src + 5 * lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v6 = (FloatVector) ByteVector.fromArray(BYTES, a, src + 6 * lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                FloatVector v7 = (FloatVector) ByteVector.fromArray(BYTES, a, src + 7 * lda)
                    .lanewise(VectorOperators.XOR, flip).convertShape(VectorOperators.B2F, f, 0);
                // The pairs are the same vectors' bits (paired is loop-invariant: C2 moves the test out of the loop).
                if (pd == null) {
                    v0.intoArray(p, dst);
                    v1.intoArray(p, dst + 1 * G);
                    v2.intoArray(p, dst + 2 * G);
                    v3.intoArray(p, dst + 3 * G);
                    v4.intoArray(p, dst + 4 * G);
                    v5.intoArray(p, dst + 5 * G);
                    v6.intoArray(p, dst + 6 * G);
                    v7.intoArray(p, dst + 7 * G);
                } else {
                    v0.reinterpretAsDoubles().intoArray(pd, dst / 2);
                    v1.reinterpretAsDoubles().intoArray(pd, dst / 2 + 1 * G / 2);
                    v2.reinterpretAsDoubles().intoArray(pd, dst / 2 + 2 * G / 2);
                    v3.reinterpretAsDoubles().intoArray(pd, dst / 2 + 3 * G / 2);
                    v4.reinterpretAsDoubles().intoArray(pd, dst / 2 + 4 * G / 2);
                    v5.reinterpretAsDoubles().intoArray(pd, dst / 2 + 5 * G / 2);
                    v6.reinterpretAsDoubles().intoArray(pd, dst / 2 + 6 * G / 2);
                    v7.reinterpretAsDoubles().intoArray(pd, dst / 2 + 7 * G / 2);
                }
            }
        }
    }

    /** Rows [i0, i1) the general way: any mr and width, tiles cut by the range, groups reaching past the array. */
    private static void prepareRowsGeneral(int mr, int bits, int i0, int i1, byte[] a, int aOffset, int lda,
                                           boolean unsigned, float[] p, double[] pd, int k) {
        int groupStride = mr * G;
        int tileStride = groupedDepth(k) * mr;
        byte flip = (byte) (unsigned ? 0x80 : 0);
        // A tile at a time, so a row's place is a sum, not a division per row; inside a tile group by group, so the
        // floats are written in order (row by row: 14,884 rows of K = 16 took 38 instead of 28 us, K = 32 76 vs 54).
        for (int tile = i0 / mr, i = i0; i < i1; tile++) {
            int end = Math.min(i1, (tile + 1) * mr);
            int rows = end - i;
            int base = tile * tileStride + (i - tile * mr) * G;
            int row0 = aOffset + i * lda;
            // A part group (K = 24, 40, 72, ...) converts whole 16 bytes where they lie in the array: the floats past
            // k are never read (a byte at a time, the rest of K = 24 took 80% of its packing).
            int whole = (k + G - 1) / G;
            // The vector code stays in this method: a helper compiled apart can run boxed while it waits for C2.
            for (int g = 0; g < whole; g++) {
                int src = row0 + g * G;
                int dst = base + g * groupStride;
                // The rows whose 16 bytes lie in the array: all but, in a part group, the last rows of the array.
                int vectorRows = rows;
                if ((g + 1) * G > k) {
                    long room = (long) a.length - G - src;
                    vectorRows = room < 0 ? 0 : (int) Math.min(rows, room / Math.max(1, lda) + 1);
                }
                if (bits >= 512) {
                    for (int r = 0; r < vectorRows; r++) {
                        ByteVector v = ByteVector.fromArray(BYTES, a, src + r * lda).lanewise(VectorOperators.XOR, flip);
                        FloatVector f = (FloatVector) v.convertShape(VectorOperators.B2F, FloatVector.SPECIES_512, 0);
                        if (pd == null) {
                            f.intoArray(p, dst + r * G);
                        } else {
                            f.reinterpretAsDoubles().intoArray(pd, (dst + r * G) / 2);
                        }
                    }
                } else if (bits == 256) {
                    for (int r = 0; r < vectorRows; r++) {
                        ByteVector v = ByteVector.fromArray(BYTES, a, src + r * lda).lanewise(VectorOperators.XOR, flip);
                        int at = dst + r * G;
                        ((FloatVector) v.convertShape(VectorOperators.B2F, FloatVector.SPECIES_256, 0)).intoArray(p, at);
                        ((FloatVector) v.convertShape(VectorOperators.B2F, FloatVector.SPECIES_256, 1)).intoArray(p, at + 8);
                    }
                } else {
                    for (int r = 0; r < vectorRows; r++) {
                        ByteVector v = ByteVector.fromArray(BYTES, a, src + r * lda).lanewise(VectorOperators.XOR, flip);
                        int at = dst + r * G;
                        for (int part = 0; part < 4; part++) {
                            ((FloatVector) v.convertShape(VectorOperators.B2F, FloatVector.SPECIES_128, part))
                                .intoArray(p, at + 4 * part);
                        }
                    }
                }
                // The others a byte at a time: an 8-byte vector here cost a few microseconds less per layer, but after
                // a deoptimization C2 could recompile it boxed (a U-Net at 64 x 64 then allocated ~100 KB more per
                // run, one vector per row).
                for (int r = vectorRows; r < rows; r++) {
                    int row = row0 + r * lda;
                    if (pd == null) {
                        for (int q = g * G, at = dst + r * G; q < k; q++, at++) {
                            p[at] = (byte) (a[row + q] ^ flip);
                        }
                    } else {
                        // Step 2j in the low half of double j, as a vector's reinterpretation puts it.
                        for (int q = g * G, at = (dst + r * G) / 2; q < k; q += 2, at++) {
                            long low = Float.floatToRawIntBits((byte) (a[row + q] ^ flip)) & 0xFFFF_FFFFL;
                            long high = q + 1 < k ? Float.floatToRawIntBits((byte) (a[row + q + 1] ^ flip)) : 0;
                            pd[at] = Double.longBitsToDouble(high << 32 | low);
                        }
                    }
                }
            }
            i = end;
        }
    }

    /**
     * {@link #prepareRows} in plain scalar code: the same floats and row sums, for the warming gate's cold path
     * (vector code runs boxed, slowly and allocating, until C2 has compiled it).
     */
    static void prepareRowsScalar(int mr, int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned,
                                  PreparedA out) {
        requireFloats(out);
        int k = out.depth();
        float[] p = out.floats(preparedSize(mr, out.rows(), k));
        int[] sums = out.rowSums();
        int kg = groupedDepth(k);
        int flip = unsigned ? 0x80 : 0;
        for (int i = i0; i < i1; i++) {
            int row = aOffset + i * lda;
            int dst = (i / mr) * kg * mr + (i % mr) * G;
            int sum = 0;
            for (int q = 0; q < k; q++) {
                int v = (byte) (a[row + q] ^ flip);
                p[dst + (q / G) * mr * G + q % G] = v;
                sum += v;
            }
            // As prepareRows, a part group's whole 16 bytes where they lie in the array.
            int part = k / G * G;
            if (part < k && row + part + G <= a.length) {
                for (int q = k; q < part + G; q++) {
                    p[dst + part * mr + q % G] = (byte) (a[row + q] ^ flip);
                }
            }
            if (sums != null) {
                sums[i] = sum;
            }
        }
    }

    /**
     * The float-FMA kernels' multiply in plain Java over the same layouts (mr-row tiles of A, nr-column panels of
     * B), for the warm-up's cold path: float sums of at most {@code flush} products (exact integers, in any order),
     * flushed to int32 as the kernels do, so the results are the same int32 sums, wrapping included. Four rows share
     * each load of B, and each row's sums go through a loop of constant length nr that C2 vectorizes as soon as it
     * compiles this method (early: it runs while the vector kernels wait for the compiler): 3-4x the speed of one
     * row at a time (MiniLM's 20 x 384 x 1536 on Zen 5: 4 -> 12-17 GOPS).
     */
    static void multiplyScalar(int mr, int nr, PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c,
                               int cOffset, int ldc, int flush) {
        if (flush < 1) {
            throw new IllegalArgumentException("flush interval " + flush);
        }
        requireFloats(a);
        int step = Math.min(KC, flush);
        int k = b.k();
        float[] pa = a.floats(preparedSize(mr, a.rows(), k));
        int kg = groupedDepth(k);
        float[] partial = new float[ROWS * nr];
        int[] acc = new int[ROWS * nr];
        for (int i0 = m0; i0 < m1; i0 += ROWS) {
            // Four rows (across row tiles: each row's own offset); past m1 a row repeats the first, never stored.
            int rows = Math.min(ROWS, m1 - i0);
            int a0 = rowOffset(mr, kg, i0);
            int a1 = rows > 1 ? rowOffset(mr, kg, i0 + 1) : a0;
            int a2 = rows > 2 ? rowOffset(mr, kg, i0 + 2) : a0;
            int a3 = rows > 3 ? rowOffset(mr, kg, i0 + 3) : a0;
            for (int panel = n0 / nr; panel * nr < n1; panel++) {
                java.util.Arrays.fill(acc, 0);
                for (int p0 = 0; p0 < k; p0 += step) {
                    java.util.Arrays.fill(partial, 0f);
                    int p1 = Math.min(k, p0 + step);
                    int bRow = (panel * k + p0) * nr;
                    // A constant nr per call site: C2 inlines each and vectorizes its loop.
                    switch (nr) {
                        case 32 -> accumulate(pa, mr, a0, a1, a2, a3, p0, p1, b, bRow, partial, 32);
                        case 16 -> accumulate(pa, mr, a0, a1, a2, a3, p0, p1, b, bRow, partial, 16);
                        case 8 -> accumulate(pa, mr, a0, a1, a2, a3, p0, p1, b, bRow, partial, 8);
                        default -> accumulate(pa, mr, a0, a1, a2, a3, p0, p1, b, bRow, partial, nr);
                    }
                    for (int j = 0; j < acc.length; j++) {
                        acc[j] += (int) partial[j];
                    }
                }
                int col = panel * nr;
                int lo = Math.max(n0, col);
                int hi = Math.min(n1, col + nr);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(acc, r * nr + lo - col, c, cOffset + (i0 + r) * ldc + lo, hi - lo);
                }
            }
        }
    }

    /** Where row i's first group of k values starts in prepared A (row tiles of mr rows, groups of G). */
    private static int rowOffset(int mr, int kg, int i) {
        return (i / mr) * kg * mr + (i % mr) * G;
    }

    /** Rows of A that {@link #multiplyScalar} takes at once. */
    private static final int ROWS = 4;

    /**
     * {@code partial[r * nr + j] += A[row r][p] * B[p][j]} over p in [p0, p1), for the four rows of A starting at
     * {@code a0..a3} ({@link #rowOffset}) and the panel rows from {@code bRow}, whether B holds floats or bytes.
     */
    private static void accumulate(float[] pa, int mr, int a0, int a1, int a2, int a3, int p0, int p1, PackedB b,
                                   int bRow, float[] partial, int nr) {
        float[] pb = b.floats();
        byte[] pbBytes = b.bytes();
        for (int p = p0; p < p1; p++, bRow += nr) {
            int at = (p & -G) * mr + (p & (G - 1));
            float v0 = pa[a0 + at];
            float v1 = pa[a1 + at];
            float v2 = pa[a2 + at];
            float v3 = pa[a3 + at];
            if (pb != null) {
                for (int j = 0; j < nr; j++) {
                    float bj = pb[bRow + j];
                    partial[j] += v0 * bj;
                    partial[nr + j] += v1 * bj;
                    partial[2 * nr + j] += v2 * bj;
                    partial[3 * nr + j] += v3 * bj;
                }
            } else {
                for (int j = 0; j < nr; j++) {
                    float bj = pbBytes[bRow + j];
                    partial[j] += v0 * bj;
                    partial[nr + j] += v1 * bj;
                    partial[2 * nr + j] += v2 * bj;
                    partial[3 * nr + j] += v3 * bj;
                }
            }
        }
    }

    /** Copies cols columns of rows rows between two int matrices. */
    static void copyColumns(int rows, int[] from, int fromAt, int fromStride, int[] to, int toAt, int toStride, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(from, fromAt + r * fromStride, to, toAt + r * toStride, cols);
        }
    }

    static void zeroColumns(int m0, int m1, int n0, int n1, int[] c, int cOffset, int ldc) {
        for (int i = m0; i < m1; i++) {
            java.util.Arrays.fill(c, cOffset + i * ldc + n0, cOffset + i * ldc + n1, 0);
        }
    }
}
