package dev.octet.ops;

import dev.octet.ir.Dim;
import dev.octet.ops.ShapeValue.Elem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Arithmetic on possibly symbolic dimensions. Every function is sound: a result is fixed or symbolic only
 * when every valid run has that size, and {@link Incompatible} is raised only when no run can succeed.
 */
public final class ShapeDims {
    private ShapeDims() {}

    /** Shapes that no input can make valid; shape inference reports it as INVALID_GRAPH naming the node. */
    public static final class Incompatible extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Incompatible(String message) {
            super(message);
        }
    }

    public static List<Dim> unknown(int rank) {
        return Collections.nCopies(rank, Dim.UNKNOWN);
    }

    public static List<Dim> fixed(int... dims) {
        List<Dim> r = new ArrayList<>(dims.length);
        for (int d : dims) {
            r.add(Dim.of(d));
        }
        return r;
    }

    public static boolean allFixed(List<Dim> dims) {
        return dims != null && dims.stream().allMatch(Dim::isFixed);
    }

    /** The dims as ints when all are fixed, else null. */
    public static int[] toInts(List<Dim> dims) {
        if (!allFixed(dims)) {
            return null;
        }
        return dims.stream().mapToInt(d -> (int) d.value()).toArray();
    }

    /** Two dims that broadcast (numpy rules): 1 yields to the other; a fixed size beats a symbol (1 or it). */
    public static Dim broadcast(Dim a, Dim b) {
        if (a.isFixed() && a.value() == 1) {
            return b;
        }
        if (b.isFixed() && b.value() == 1) {
            return a;
        }
        if (a.isFixed() && b.isFixed()) {
            if (a.value() != b.value()) {
                throw new Incompatible("dimensions " + a + " and " + b + " cannot be broadcast together");
            }
            return a;
        }
        if (a.isFixed()) {
            return a;
        }
        if (b.isFixed()) {
            return b;
        }
        if (a.symbol() != null && a.equals(b)) {
            return a;
        }
        // min(s, n) and s broadcast to s in every valid case: the bounded one is s itself, or 1 and s wins.
        if (a.symbol() != null && a.symbol().equals(boundedBase(b))) {
            return a;
        }
        return b.symbol() != null && b.symbol().equals(boundedBase(a)) ? b : Dim.UNKNOWN;
    }

    /**
     * The dim min(s, bound) for a symbol s and a positive bound, as a symbol named "min(s,bound)": what
     * slicing a fixed axis up to a symbolic end gives (positions up to the sequence length, say).
     */
    public static Dim atMost(Dim s, long bound) {
        return Dim.symbol("min(" + s.symbol() + "," + bound + ")");
    }

    /** The symbol s of a dim made by {@link #atMost}, else null. */
    private static String boundedBase(Dim d) {
        String sym = d.symbol();
        if (sym == null || !sym.startsWith("min(") || !sym.endsWith(")")) {
            return null;
        }
        int comma = sym.lastIndexOf(',');
        return comma > 4 && sym.substring(comma + 1, sym.length() - 1).chars().allMatch(Character::isDigit)
            ? sym.substring(4, comma) : null;
    }

    /** Multidirectional broadcasting of shapes; null when any rank is unknown. */
    public static List<Dim> broadcast(List<List<Dim>> shapes) {
        int rank = 0;
        for (List<Dim> s : shapes) {
            if (s == null) {
                return null;
            }
            rank = Math.max(rank, s.size());
        }
        List<Dim> out = new ArrayList<>(Collections.nCopies(rank, Dim.of(1)));
        for (List<Dim> s : shapes) {
            for (int i = 0; i < s.size(); i++) {
                int o = rank - s.size() + i;
                try {
                    out.set(o, broadcast(out.get(o), s.get(i)));
                } catch (Incompatible e) {
                    throw new Incompatible("shapes " + shapes + " cannot be broadcast together");
                }
            }
        }
        return out;
    }

    /** Two dims that must be equal: the more specific one, or an error when both are fixed and differ. */
    public static Dim same(Dim a, Dim b, String what) {
        if (a.isFixed() && b.isFixed() && a.value() != b.value()) {
            throw new Incompatible(what + ": " + a + " vs " + b);
        }
        return a.isFixed() || (a.symbol() != null && !b.isFixed()) ? a : b;
    }

    /** The product of dims: fixed when all are, a symbol times 1 stays the symbol, anything times 0 is 0. */
    public static Dim product(List<Dim> dims) {
        long fixed = 1;
        Dim other = null;
        int others = 0;
        for (Dim d : dims) {
            if (d.isFixed()) {
                fixed *= d.value();
            } else {
                other = d;
                others++;
            }
        }
        if (fixed == 0 || others == 0) {
            return Dim.of(fixed);
        }
        return others == 1 && fixed == 1 ? other : Dim.UNKNOWN;
    }

    /** The sum of dims: fixed when all are, a symbol plus zeros stays the symbol. */
    public static Dim sum(List<Dim> dims) {
        long fixed = 0;
        Dim other = null;
        int others = 0;
        for (Dim d : dims) {
            if (d.isFixed()) {
                fixed += d.value();
            } else {
                other = d;
                others++;
            }
        }
        if (others == 0) {
            return Dim.of(fixed);
        }
        return others == 1 && fixed == 0 ? other : Dim.UNKNOWN;
    }

    /** An axis attribute in [-rank, rank) made non-negative, or an error. */
    public static int axis(long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw new Incompatible(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /**
     * Reshape's output for an input shape (null = unknown rank) and a target given element by element:
     * 0 copies the input dim (unless allowZero), one -1 takes what remains. The -1 is solved by cancelling
     * the known target factors, fixed and symbolic, against the input's.
     */
    public static List<Dim> reshape(List<Dim> from, List<Elem> spec, boolean allowZero) {
        List<Dim> out = new ArrayList<>(spec.size());
        int inferred = -1;
        boolean opaque = false; // an element that might be 0 or -1: the -1 cannot be solved
        for (int i = 0; i < spec.size(); i++) {
            Elem e = spec.get(i);
            Dim d;
            if (e.fixed() && e.value() == -1) {
                if (inferred >= 0) {
                    throw new Incompatible("Reshape shape " + spec + " has more than one -1");
                }
                inferred = i;
                d = Dim.UNKNOWN;
            } else if (e.fixed() && e.value() == 0 && !allowZero) {
                if (from != null && i >= from.size()) {
                    throw new Incompatible("Reshape shape " + spec + " copies dimension " + i + " of a rank "
                        + from.size() + " input");
                }
                d = from == null ? Dim.UNKNOWN : from.get(i);
                opaque |= from == null;
            } else if (e.fixed()) {
                if (e.value() < 0) {
                    throw new Incompatible("Reshape shape " + spec + " has invalid dimension " + e.value());
                }
                d = Dim.of(e.value());
            } else if (e.symbol() != null && (allowZero || (from != null && i < from.size()
                && e.toDim().equals(from.get(i))))) {
                // A symbol could be 0, which copies the input dim: here both readings give the same size.
                d = e.toDim();
            } else {
                d = Dim.UNKNOWN;
                opaque = true;
            }
            out.add(d);
        }
        if (from == null) {
            return out;
        }
        Factors in = Factors.of(from);
        Factors known = Factors.of(inferred < 0 ? out : without(out, inferred));
        if (inferred >= 0) {
            if (!opaque) {
                out.set(inferred, in.divide(known, spec));
            }
        } else if (in.allFixed() && known.allFixed() && in.fixed != known.fixed) {
            throw new Incompatible("Reshape shape " + spec + " does not match the " + in.fixed + " elements of "
                + from);
        }
        return out;
    }

    private static List<Dim> without(List<Dim> dims, int index) {
        List<Dim> r = new ArrayList<>(dims);
        r.remove(index);
        return r;
    }

    /** A product of dims as a fixed factor times a multiset of symbols (unknown when any dim is unknown). */
    private record Factors(long fixed, Map<String, Integer> symbols, boolean unknown) {
        static Factors of(List<Dim> dims) {
            long f = 1;
            Map<String, Integer> syms = new HashMap<>();
            boolean unknown = false;
            for (Dim d : dims) {
                if (d.isFixed()) {
                    f *= d.value();
                } else if (d.symbol() != null) {
                    syms.merge(d.symbol(), 1, Integer::sum);
                } else {
                    unknown = true;
                }
            }
            return new Factors(f, syms, unknown);
        }

        boolean allFixed() {
            return !unknown && symbols.isEmpty();
        }

        /** this / other as a dim, when the quotient is a fixed number or a single symbol. */
        Dim divide(Factors other, List<Elem> spec) {
            if (other.fixed == 0) {
                throw new Incompatible("Reshape cannot infer the -1 in " + spec + " when the other dimensions hold 0 elements");
            }
            if (fixed == 0) {
                return Dim.of(0);
            }
            if (unknown || other.unknown) {
                return Dim.UNKNOWN;
            }
            Map<String, Integer> rest = new HashMap<>(symbols);
            for (var e : other.symbols.entrySet()) {
                int left = rest.getOrDefault(e.getKey(), 0) - e.getValue();
                if (left < 0) {
                    return Dim.UNKNOWN;
                }
                if (left == 0) {
                    rest.remove(e.getKey());
                } else {
                    rest.put(e.getKey(), left);
                }
            }
            if (fixed % other.fixed != 0) {
                if (allFixed() && other.allFixed()) {
                    throw new Incompatible("Reshape cannot infer the -1 in " + spec + ": " + fixed
                        + " elements do not divide by " + other.fixed);
                }
                return Dim.UNKNOWN;
            }
            long q = fixed / other.fixed;
            if (rest.isEmpty()) {
                return Dim.of(q);
            }
            if (q == 1 && rest.size() == 1 && rest.values().iterator().next() == 1) {
                return Dim.symbol(rest.keySet().iterator().next());
            }
            return Dim.UNKNOWN;
        }
    }
}
