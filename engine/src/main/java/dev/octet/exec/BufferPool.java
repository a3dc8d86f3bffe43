package dev.octet.exec;

import dev.octet.api.Tensor;
import dev.octet.ops.Buffers;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The arrays of one run at a time: ops take output arrays from it, and the executor gives an array back
 * when the last slot holding it dies (views such as Reshape share arrays, so arrays are counted by
 * identity). Arrays a run returns to its caller leave the pool. A run of another plan drops the free arrays
 * first, and a run drops the free arrays of sizes it did not use (a generic plan fed changing shapes), so
 * the pool holds at most what one run needs: changing shapes cost allocation, not unbounded memory.
 *
 * <p>Not thread-safe: a run owns its pool ({@link BufferPools} hands them out).
 */
final class BufferPool implements Buffers {
    /** Marks an array on a free list in {@link #owned}. */
    private static final Integer FREE = -1;
    /**
     * Per array this pool handed out: how many slots hold it (0 = taken by an op, not stored yet), or
     * {@link #FREE}.
     */
    private final IdentityHashMap<Object, Integer> owned = new IdentityHashMap<>();
    /** Arrays handed out during the current run. */
    private final List<Object> handed = new ArrayList<>();
    /** Free arrays by class and exact length. */
    private final List<FreeList> free = new ArrayList<>();
    private ExecutionPlan plan;
    /** The current run's slots (see {@link #slots}); emptied when it ends. */
    private Tensor[] slots = new Tensor[0];
    /** Per input count, the array steps with that many inputs receive (see {@link #arguments}). */
    private Tensor[][] arguments = new Tensor[0][];

    /** Free arrays of one class and length; {@code used} when the current run took or gave back one. */
    private static final class FreeList {
        final Class<?> type;
        final int length;
        final ArrayDeque<Object> arrays = new ArrayDeque<>();
        boolean used;

        FreeList(Class<?> type, int length) {
            this.type = type;
            this.length = length;
        }
    }

    /** Prepares for a run of {@code p}. */
    void begin(ExecutionPlan p) {
        handed.clear();
        if (plan != p) {
            free.clear();
            owned.clear();
            plan = p;
        }
    }

    /** The run's value slots, holding the plan's constants; one array per pool, so a run allocates none. */
    Tensor[] slots(ExecutionPlan p) {
        Tensor[] constants = p.constants();
        if (slots.length != constants.length) {
            slots = new Tensor[constants.length];
        }
        System.arraycopy(constants, 0, slots, 0, constants.length);
        return slots;
    }

    /**
     * The array a step with {@code n} inputs receives them in, the same for every such step: the executor empties
     * it once the step has returned (ops do not keep their input array).
     */
    Tensor[] arguments(int n) {
        if (n >= arguments.length) {
            arguments = java.util.Arrays.copyOf(arguments, n + 1);
        }
        Tensor[] a = arguments[n];
        return a != null ? a : (arguments[n] = new Tensor[n]);
    }

    @Override
    public float[] floats(int n) {
        float[] a = (float[]) take(float[].class, n);
        return a != null ? a : (float[]) hand(new float[n]);
    }

    @Override
    public byte[] bytes(int n) {
        byte[] a = (byte[]) take(byte[].class, n);
        return a != null ? a : (byte[]) hand(new byte[n]);
    }

    @Override
    public int[] ints(int n) {
        int[] a = (int[]) take(int[].class, n);
        return a != null ? a : (int[]) hand(new int[n]);
    }

    private Object take(Class<?> type, int n) {
        for (FreeList f : free) {
            if (f.length == n && f.type == type) {
                f.used = true;
                Object a = f.arrays.poll();
                return a == null ? null : hand(a);
            }
        }
        return null;
    }

    private Object hand(Object array) {
        owned.put(array, 0);
        handed.add(array);
        return array;
    }

    @Override
    public void giveBack(Object array) {
        Integer count = owned.get(array);
        if (count != null && count == 0) {
            giveBack0(array);
        }
    }

    /** A slot now holds {@code t}. */
    void retain(Tensor t) {
        Object data = t.data();
        Integer count = owned.get(data);
        if (count != null && count >= 0) {
            owned.put(data, count + 1);
        }
    }

    /** A slot that held {@code t} died. */
    void release(Tensor t) {
        Object data = t.data();
        Integer count = owned.get(data);
        if (count != null && count > 0) {
            owned.put(data, count - 1);
            if (count == 1) {
                giveBack0(data);
            }
        }
    }

    /** The run ends: its outputs leave with the caller, every other array it took becomes free. */
    void end(Tensor[] outputs) {
        // A step that threw left its inputs in its argument array: the pool outlives the run, its tensors must not.
        java.util.Arrays.fill(slots, null);
        for (Tensor[] a : arguments) {
            if (a != null) {
                java.util.Arrays.fill(a, null);
            }
        }
        for (Tensor t : outputs) {
            if (t != null) {
                owned.remove(t.data());
            }
        }
        for (Object a : handed) {
            Integer count = owned.get(a);
            if (count != null && count >= 0) {
                giveBack0(a);
            }
        }
        handed.clear();
        // Sizes this run did not touch belong to other shapes: let them go.
        for (int i = free.size() - 1; i >= 0; i--) {
            FreeList f = free.get(i);
            if (!f.used) {
                for (Object a : f.arrays) {
                    owned.remove(a);
                }
                free.remove(i);
            }
            f.used = false;
        }
    }

    private void giveBack0(Object array) {
        owned.put(array, FREE);
        Class<?> type = array.getClass();
        int n = java.lang.reflect.Array.getLength(array);
        for (FreeList f : free) {
            if (f.length == n && f.type == type) {
                f.used = true;
                f.arrays.push(array);
                return;
            }
        }
        FreeList f = new FreeList(type, n);
        f.used = true;
        f.arrays.push(array);
        free.add(f);
    }
}
